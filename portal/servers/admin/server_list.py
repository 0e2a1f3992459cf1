"""The servers list of the admin, like Horizon's Instances table: its columns, each row's
menu of what the server's state allows now (`locking.available_actions`, the one source
of those rules), and the confirmation page of the bulk actions that stop or delete."""

import re
from functools import lru_cache

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.views.main import ChangeList
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.clouds.capabilities import CONSOLE, supports
from portal.core.admin_base import PK_MARK, object_url, progress_bar
from portal.core.sentences import kind_label
from portal.servers.cloud_states import POWER_STATES, RUNTIME_STATES
from portal.servers.locking import available_actions
from portal.servers.models import Server
from portal.servers.services import UNLISTED_SECRETS

# The cloud's words shown by their labels (a value not listed is shown as it is).
RUNTIME_LABELS = dict(RUNTIME_STATES)
POWER_LABELS = dict(POWER_STATES)

# The admin's buttons that post a server's operation (to its operate view), by the
# action's name in `available_actions`: label. Pause and lock stay with the API.
POSTED_OPERATIONS = {
    "start": _("Start"),
    "stop": _("Stop"),
    "softreboot": _("Reboot"),
    "hardreboot": _("Hard reboot"),
    "suspend": _("Suspend"),
    "resume": _("Resume"),
}
RESIZE_ANSWERS = {"confirm": _("Confirm resize"), "revert": _("Revert resize")}


# Two overlapping sheets (no icon font: the admin has none, and a glyph may be missing).
COPY_ICON = mark_safe(
    '<svg aria-hidden="true" width="12" height="12" viewBox="0 0 16 16" fill="none" '
    'stroke="currentColor" stroke-width="1.5"><rect x="5" y="5" width="9" height="9" rx="1"/>'
    '<path d="M11 3V2H2v9h1"/></svg>'
)
# The list's badge of a state whose label is long: the full label is in its title.
SHORT_STATUS_LABELS = {Server.Status.RESIZED: _("resized")}
STATUS_LABELS = dict(Server.Status.choices)
# Where a row's own values go in markup made once for every row (`fill`): a name between
# private-use characters, which neither a text nor escaping produces.
_MARKS = re.compile("\ue000(\\w+)\ue000")
NAME_MARK, ID_MARK, SHORT_ID_MARK = ("\ue000name\ue000", "\ue000id\ue000", "\ue000short\ue000")


def opens_console(server) -> bool:
    """A remote console exists only for a running server the cloud holds, on a cloud
    that has one."""
    return (
        bool(server.backend_id)
        and server.runtime_state == "ACTIVE"
        and supports(server.cloud, CONSOLE)
    )


def is_busy(server) -> bool:
    """A Task is working on the server now."""
    task = server.current_task
    return task is not None and not task.is_finished


def status_badge(server, short=False):
    """The portal's own state, as a badge coloured by state (portal.css); `short` for the
    list, where a long label is cut short (the full label in its title)."""
    return _status_badge(get_language(), server.status, short)


@lru_cache(maxsize=256)
def _status_badge(language, status, short):
    label = STATUS_LABELS.get(status, status)
    return format_html(
        '<span class="state-badge state-{}" title="{}">{}</span>',
        status,
        label,
        SHORT_STATUS_LABELS.get(status, label) if short else label,
    )


def cloud_status(server):
    """The cloud's status (Nova's ACTIVE, SHUTOFF...), with a spinner and the Task's
    progress bar while one is working on the server (tasks.js reloads the page when it
    ends)."""
    badge = _cloud_status_badge(get_language(), server.cloud_status or "-")
    if not is_busy(server):
        return badge
    return format_html(
        '<span class="server-busy"><span class="spinner" role="status" aria-label="{}"></span>'
        "{}</span>{}",
        _("busy: %(kind)s") % {"kind": kind_label(server.current_task.kind)},
        badge,
        progress_bar(server.current_task),
    )


@lru_cache(maxsize=256)
def _cloud_status_badge(language, status):
    return format_html(
        '<span class="cloud-status cloud-status-{}" title="{}">{}</span>',
        status.lower(), status, RUNTIME_LABELS.get(status, status),
    )  # fmt: skip


def power_state(server):
    return _power_label(get_language(), server.power_state or "-")


@lru_cache(maxsize=256)
def _power_label(language, state):
    return str(POWER_LABELS.get(state, state))


def address_lines(server):
    """Every address as text, one a line, its network's name in its title."""
    return (
        format_html_join(
            mark_safe("<br>"),
            '<span class="nowrap" title="{}">{}</span>',
            ((network, ip) for network, ips in (server.addresses or {}).items() for ip in ips),
        )
        or "-"
    )


def short_id(value):
    """The first 8 characters of an id, the whole one in its title, with a copy button
    (static/portal/servers.js)."""
    if not value:
        return "-"
    return fill(_short_id_markup(get_language()), id=value, short=value[:8])


@lru_cache(maxsize=16)
def _short_id_markup(language):
    return format_html(
        '<span class="short-id"><code title="{}">{}</code>'
        '<button type="button" class="copy-id" data-copy="{}" aria-label="{}" title="{}">'
        "{}</button></span>",
        ID_MARK,
        SHORT_ID_MARK,
        ID_MARK,
        _("Copy the id %(id)s") % {"id": ID_MARK},
        _("Copy"),
        COPY_ICON,
    )


def localised(moment):
    """A time in the active language's format and time zone."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def age(moment):
    """ "3 hours", the exact time (localised, in the active time zone) in its title."""
    if moment is None:
        return "-"
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        moment.isoformat(),
        localised(moment),
        timesince(moment, depth=1),
    )


def menu_items(actions):
    """The row menu of a server whose state allows `actions` (`available_actions`):
    (kind, label, target) of each; kind is "post" or "delete" (a button posting to the
    operate view, target the operation) or "link" (target the page's URL name)."""
    items = []
    for action in actions:
        if action in POSTED_OPERATIONS:
            items.append(("post", POSTED_OPERATIONS[action], action))
        elif action in RESIZE_ANSWERS:
            items.append(("post", RESIZE_ANSWERS[action], action))
        elif action == "resize":
            items.append(("link", _("Resize…"), "admin:servers_server_resize"))
        elif action == "delete":
            items.append(("delete", _("Delete"), action))
    return items


class ServerListMixin:
    """The columns of ServerAdmin's list, rendered by `list_rows`."""

    def get_changelist(self, request, **kwargs):
        return ServerChangeList

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:  # the list itself (not a redirect or a confirmation)
            response.context_data["server_rows"] = list_rows(changelist)
        return response

    list_display = [
        "name_column", "image_column", "address_column", "flavor_name",
        "key_column", "cloud_status_column", "power_column", "zone_column", "age_column",
        "tenant_column", "status_column", "row_menu",
    ]  # fmt: skip
    # The name links to the server's page itself: its cell also holds the short id's button.
    list_display_links = None
    list_select_related = ["tenant", "current_task", "cloud"]
    change_list_template = "admin/servers/server/change_list.html"

    @admin.display(description=_("name"), ordering="name")
    def name_column(self, server):
        """The name, and under it the short id."""
        return format_html(
            '<a href="{}">{}</a><br>{}',
            object_url("admin:servers_server_change", server.pk),
            server.name,
            short_id(server.instance_id),
        )

    @admin.display(description=_("image"), ordering="image_name")
    def image_column(self, server):
        return server.image_name or (server.image_ref[:8] if server.image_ref else "-")

    @admin.display(description=_("IP addresses"))
    def address_column(self, server):
        return address_lines(server)

    @admin.display(description=_("key pair"), ordering="key_name")
    def key_column(self, server):
        return server.key_name or "-"

    @admin.display(description=_("cloud status"), ordering="runtime_state")
    def cloud_status_column(self, server):
        return cloud_status(server)

    @admin.display(description=_("power state"), ordering="power_state")
    def power_column(self, server):
        return power_state(server)

    @admin.display(description=_("zone"), ordering="availability_zone")
    def zone_column(self, server):
        return server.availability_zone or "-"

    @admin.display(description=_("age"), ordering="created")
    def age_column(self, server):
        return age(server.created)

    @admin.display(description=_("tenant"), ordering="tenant__name")
    def tenant_column(self, server):
        tenant = server.tenant
        return format_html('<span title="{}">{}</span>', tenant.tenant_id, tenant.name)

    @admin.display(description=_("state"), ordering="status")
    def status_column(self, server):
        return status_badge(server, short=True)

    @admin.display(description=_("actions"))
    def row_menu(self, server):
        """The actions the server's state allows now, in a menu of the row; its buttons
        post the list's form #server-row-action (built here, not by a template: a list
        renders 100 of them)."""
        actions = tuple(available_actions(server, operator=True))
        menu = _row_menu_markup(get_language(), get_script_prefix(), get_urlconf(), actions)
        return with_server(menu, server) if menu else "-"


class ServerChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*UNLISTED_SECRETS)


def list_rows(changelist):
    """The list's table as the admin's change_list_results.html takes it, each cell the
    column's own HTML: what Django's items_for_result makes, without its lookups per
    cell (100 rows of 13 cells took most of the page's time)."""
    model_admin = changelist.model_admin
    columns = [
        (name, getattr(model_admin, name, None))
        for name in changelist.list_display
        if name != "action_checkbox"
    ]
    rows = []
    for server in changelist.result_list:
        cells = [format_html('<td class="action-checkbox">{}</td>', action_checkbox(server))]
        for name, column in columns:
            shown = column(server) if column else (getattr(server, name) or "-")
            # Joined, not format_html'd: 1,200 cells a page; `name` is a method's name.
            cells.append(mark_safe(f'<td class="field-{name}">{conditional_escape(shown)}</td>'))
        # One item a row: the template loops 100 times, not 1,300 (same markup).
        rows.append(Row([mark_safe("".join(cells))]))
    headers = list(result_headers(changelist))
    return {
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": rows,
    }


class Row(list):
    """A row of change_list_results.html, which asks each one for its `form` (a list's
    editable fields): a list says it has none only after three failed lookups and a
    dir() of itself, a tenth of the page's time."""

    form = None


def action_checkbox(server):
    """ModelAdmin.action_checkbox's markup, without rendering a form widget per row."""
    return fill(_checkbox_markup(get_language()).replace(PK_MARK, str(server.pk)), name=server)


def with_server(markup, server):
    """Markup made once for any server (PK_MARK and NAME_MARK where its pk and name go),
    filled in for this one."""
    return fill(markup.replace(PK_MARK, str(server.pk)), name=server.name)


def fill(markup, **values):
    """`markup` with each mark (NAME_MARK...) replaced by its value, escaped as
    format_html would have: one pass, so a value is never read for marks."""
    return mark_safe(_MARKS.sub(lambda mark: conditional_escape(values[mark[1]]), markup))


# The keys' first arguments are what gettext and reverse() read: the active language,
# the script prefix and the URL conf.
@lru_cache(maxsize=16)
def _checkbox_markup(language):
    return format_html(
        '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
        helpers.ACTION_CHECKBOX_NAME,
        PK_MARK,
        format_html(_("Select this object for an action - {}"), NAME_MARK),
    )


@lru_cache(maxsize=1024)
def _row_menu_markup(language, prefix, urlconf, actions):
    """The row menu of a server whose state allows `actions`, made once for any such
    server: 100 rows share a handful of menus. "" when it offers nothing."""
    items = menu_items(actions)
    if not items:
        return ""
    return format_html(
        '<details class="row-menu"><summary aria-label="{}">{}</summary><ul>{}</ul></details>',
        _("Actions of %(name)s") % {"name": NAME_MARK},
        _("Actions"),
        format_html_join("", "<li>{}</li>", ((menu_entry(*item),) for item in items)),
    )


def menu_entry(kind, label, target):
    """A row menu's link or button, PK_MARK and NAME_MARK for the server's pk and name."""
    if kind == "link":
        return format_html('<a href="{}">{}</a>', reverse(target, args=[PK_MARK]), label)
    url = reverse("admin:servers_server_operate", args=[PK_MARK, target])
    if kind == "delete":
        return format_html(
            '<button type="submit" form="server-row-action" formaction="{}" class="delete" '
            'data-confirm="{}">{}</button>',
            url, _("Delete %(name)s? Its data disks are kept.") % {"name": NAME_MARK}, label,
        )  # fmt: skip
    return format_html(
        '<button type="submit" form="server-row-action" formaction="{}">{}</button>', url, label
    )


def confirm_bulk(model_admin, request, queryset, *, action, question, act):
    """A bulk action that asks first, as Django's "delete selected" does: a page listing
    the selected servers (those whose state refuses `action` marked) with "Yes" (posts
    again with post=yes, then `act(queryset)`) and "No" (back to the list)."""
    if request.POST.get("post") == "yes":
        return act(queryset)
    servers = [(server, action in available_actions(server, operator=True)) for server in queryset]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Are you sure?"),
        "question": question,
        "servers": servers,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "changelist_url": reverse("admin:servers_server_changelist")
        + (f"?{request.GET.urlencode()}" if request.GET else ""),
    }
    return TemplateResponse(request, "admin/servers/server/bulk_confirmation.html", context)
