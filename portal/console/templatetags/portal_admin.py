"""Template tags of the portal's admin pages."""

from django import template
from django.template.defaultfilters import urlencode
from django.template.loader import get_template
from django.utils.translation import get_language

register = template.Library()

# The sidebars rendered so far, by what they show (see nav_sidebar). Emptied when full:
# each set of permissions and each app or model page the operator is on is a key.
_SIDEBARS: dict[tuple, str] = {}
MAX_SIDEBARS = 1024


@register.simple_tag(takes_context=True)
def nav_sidebar(context):
    """Django's admin/nav_sidebar.html, rendered once for each thing it can show: the
    language, the apps and models the operator may open (their links) and which of them
    the page is in. It is the same on every page an operator opens, and its 45 models
    took an eighth of the servers list's time."""
    apps = context.get("available_apps") or []
    request = context["request"]
    key = (get_language(), *_what_it_shows(apps, urlencode(request.path)))
    sidebar = _SIDEBARS.get(key)
    if sidebar is None:
        if len(_SIDEBARS) >= MAX_SIDEBARS:
            _SIDEBARS.clear()
        sidebar = get_template("admin/nav_sidebar.html").render(
            {"available_apps": apps, "request": request}
        )
        _SIDEBARS[key] = sidebar
    return sidebar


def _what_it_shows(apps, path):
    """What admin/app_list.html reads of each app and model (names follow from the app
    label, the model and the language), and whether the page's path is in its link."""
    return tuple(
        (app["app_label"], app["app_url"], app["app_url"] in path, _models_shown(app, path))
        for app in apps
    )


def _models_shown(app, path):
    return tuple(
        (
            model["object_name"],
            model["admin_url"],
            model["add_url"],
            model.get("view_only"),
            bool(model["admin_url"]) and model["admin_url"] in path,
        )
        for model in app["models"]
    )
