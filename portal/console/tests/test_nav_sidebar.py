"""The admin's navigation sidebar is Django's own, rendered once for each thing it can
show (the language, what the operator may open, the page it is on) and reused after."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.template.loader import get_template
from django.test import Client

from portal.console.templatetags import portal_admin

pytestmark = pytest.mark.django_db

SERVERS = "/admin/servers/server/"
TENANTS = "/admin/tenants/tenant/"


@pytest.fixture(autouse=True)
def no_sidebars_yet():
    portal_admin._SIDEBARS.clear()


def sidebar(html):
    return re.search(r'<nav class="sticky" id="nav-sidebar".*?</nav>', html, re.S).group(0)


def djangos_sidebar(response):
    """The sidebar as Django's base.html renders it on that page."""
    context = {
        "available_apps": response.context["available_apps"],
        "request": response.wsgi_request,
    }
    return sidebar(get_template("admin/nav_sidebar.html").render(context))


@pytest.mark.parametrize("path", [SERVERS, TENANTS])
def test_the_sidebar_is_djangos_and_marks_the_page_it_is_on(admin_client, path):
    response = admin_client.get(path)
    shown = sidebar(response.content.decode())
    assert shown == djangos_sidebar(response)
    current = re.search(r'<tr class="model-(\w+) current-model">', shown).group(1)
    assert current == path.split("/")[3]


def test_it_is_rendered_once_and_reused(admin_client):
    first = admin_client.get(SERVERS)
    assert "admin/app_list.html" in [template.name for template in first.templates]
    again = admin_client.get(SERVERS)
    assert "admin/app_list.html" not in [template.name for template in again.templates]
    assert sidebar(again.content.decode()) == sidebar(first.content.decode())


def test_each_operator_sees_what_they_may_open(admin_client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_server"))
    client = Client()
    client.force_login(viewer)
    admin_client.get(SERVERS)  # the superuser's sidebar, rendered first

    response = client.get(SERVERS)
    shown = sidebar(response.content.decode())
    assert shown == djangos_sidebar(response)
    assert re.findall(r'<tr class="model-(\w+)', shown) == ["server"]


def test_it_follows_the_language(admin_client):
    english = sidebar(admin_client.get(SERVERS).content.decode())
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = admin_client.get(SERVERS)
    assert sidebar(chinese.content.decode()) == djangos_sidebar(chinese) != english
