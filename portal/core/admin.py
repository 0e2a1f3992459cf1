from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.core.admin_base import HiddenByDefaultFilter, ReadOnlyAdmin, progress_bar
from portal.core.models import AuditEvent, Task
from portal.core.principals import BEAT_ACTOR


class ScheduledFilter(HiddenByDefaultFilter):
    """Beat's pulls run every few minutes for every cloud: hidden unless asked for, so the
    list shows what people and the portal's own operations did."""

    title = _("scheduled syncs")
    parameter_name = "scheduled"
    default_label = _("Hidden")
    SHOWN, ONLY = "shown", "only"

    def lookups(self, request, model_admin):
        return [(self.SHOWN, _("Shown")), (self.ONLY, _("Only them"))]

    def without_hidden(self, queryset):
        return queryset.exclude(requested_by=BEAT_ACTOR)

    def chosen(self, queryset, value):
        return queryset.filter(requested_by=BEAT_ACTOR) if value == self.ONLY else queryset


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["kind", "target", "tenant", "progress_display", "requested_by", "created"]
    list_filter = ["state", "kind", ScheduledFilter, "created"]
    search_fields = ["id", "target_id", "kind", "requested_by", "message"]
    date_hierarchy = "created"
    list_select_related = ["tenant"]
    readonly_fields = [
        "id", "kind", "progress_display", "state", "error_code", "message", "tenant",
        "target_type", "target_id", "requested_by", "celery_id", "created", "started",
        "finished", "deadline",
    ]  # fmt: skip
    fields = readonly_fields

    @admin.display(description=_("target"))
    def target(self, task):
        return f"{task.target_type} {task.target_id}".strip()

    @admin.display(description=_("progress"), ordering="state")
    def progress_display(self, task):
        return progress_bar(task)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "time",
        "actor_type",
        "actor",
        "tenant_id",
        "action",
        "status_code",
        "ip_address",
    ]
    list_filter = ["actor_type", "method", "status_code", "time"]
    search_fields = ["actor", "tenant_id", "action", "path", "object_id", "request_id"]
    date_hierarchy = "time"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
