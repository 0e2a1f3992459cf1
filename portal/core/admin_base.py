"""Admin building blocks shared by every app's admin.py."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.core.api.pagination import count_rows
from portal.core.errors import PortalError
from portal.core.models import Task

STATE_COLOURS = {
    Task.State.QUEUED: "#6b7280",
    Task.State.RUNNING: "#2563eb",
    Task.State.SUCCEEDED: "#16a34a",
    Task.State.FAILED: "#dc2626",
}


# Stands for an object's pk in a reversed URL that `object_url` fills in.
PK_MARK = "8675309098765"
_URL_PATTERNS: dict[tuple, str] = {}


def object_url(name, pk, *args) -> str:
    """reverse(name, args=[pk, *args]), resolved once per URL name and prefix: a list of
    100 rows with a menu each reversed some 500 URLs per page, most of its time."""
    key = (get_script_prefix(), get_urlconf(), name, args)
    pattern = _URL_PATTERNS.get(key)
    if pattern is None:
        pattern = _URL_PATTERNS[key] = reverse(name, args=[PK_MARK, *args])
    return pattern.replace(PK_MARK, quote(str(pk)), 1)


def progress_bar(task):
    """A progress bar the admin's task poller (static/portal/tasks.js) keeps up to date."""
    if task is None:
        return "-"
    return format_html(
        '<div class="task-progress" data-task-id="{}" data-state="{}">'
        '<progress max="100" value="{}" aria-label="{}"></progress> '
        '<span class="task-state" style="color:{}">{}</span> '
        '<span class="task-message">{}</span></div>',
        task.pk,
        task.state,
        task.progress,
        _("progress"),
        STATE_COLOURS.get(task.state, "inherit"),
        task.get_state_display(),
        task.message,
    )


def admin_page(model_admin, request, template: str, title, **context):
    """A page of `model_admin` beside Django's own (in the admin's frame, for its model)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        **context,
    }
    return TemplateResponse(request, template, context)


def act_on_each(model_admin, request, rows, act, *, name=str, done=None) -> int:
    """An admin action's loop: `act(row)` (a service, one code path with the API) for each
    selected row; a refusal is shown as "<name(row)>: <why>" and the others go on, each
    accepted row is passed to `done`. Returns how many were accepted."""
    accepted = 0
    for row in rows:
        try:
            act(row)
        except PortalError as exc:
            model_admin.message_user(request, f"{name(row)}: {exc.message}", messages.ERROR)
        else:
            accepted += 1
            if done is not None:
                done(row)
    return accepted


class ObjectToolMixin:
    """A ModelAdmin whose list has one more button beside "Add": `object_tool` is its
    (URL name, label), shown when `shows_object_tool(request)`."""

    change_list_template = "admin/portal/change_list.html"
    object_tool: tuple[str, str]

    def shows_object_tool(self, request) -> bool:
        return True

    def changelist_view(self, request, extra_context=None):
        if self.shows_object_tool(request):
            url_name, label = self.object_tool
            tool = {"url": reverse(url_name), "label": label}
            extra_context = {**(extra_context or {}), "object_tool": tool}
        return super().changelist_view(request, extra_context)


class HiddenByDefaultFilter(admin.SimpleListFilter):
    """A list filter whose default (no choice made) leaves some rows out, e.g. history or
    routine. Subclasses give `default_label`, `lookups()`, `without_hidden(queryset)` and
    `chosen(queryset, value)`."""

    default_label = ""

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": self.default_label,
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() is None:
            return self.without_hidden(queryset)
        return self.chosen(queryset, self.value())


class EstimatedCountPaginator(Paginator):
    """Counts like the API's lists: exactly up to PAGINATION_EXACT_COUNT rows, PostgreSQL's
    estimate past it (a full COUNT of 100,000 servers costs 40 ms on every page)."""

    @cached_property
    def count(self):
        return count_rows(self.object_list, settings.PAGINATION_EXACT_COUNT)[0]


class ViewOnlyAdmin(admin.ModelAdmin):
    """For rows only the portal writes: shown, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ViewOnlyAdmin):
    """For records only the portal writes (tasks, audit events, servers): the tables that
    grow big, so their lists count cheaply and skip the admin's second, unfiltered count."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
