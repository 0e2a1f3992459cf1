from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.utils.translation import gettext_lazy as _

from portal.core.admin_base import HiddenByDefaultFilter, ReadOnlyAdmin, progress_bar
from portal.core.models import AuditEvent, Task
from portal.core.principals import BEAT_ACTOR
from portal.core.sentences import audit_sentence, kind_label, name_targets, task_sentence


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


class KindFilter(admin.SimpleListFilter):
    """The kinds of Task there are, by their names."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = Task.objects.order_by("kind").values_list("kind", flat=True).distinct()
        return sorted(((kind, kind_label(kind)) for kind in kinds), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class TaskChangeList(ChangeList):
    """Names the page's targets for the sentences: one query per kind of target."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        name_targets(self.result_list)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["sentence", "progress_display", "created"]
    list_display_links = ["sentence"]
    list_filter = ["state", KindFilter, ScheduledFilter, "created"]
    search_fields = ["id", "target_id", "kind", "requested_by", "message_code"]
    date_hierarchy = "created"
    list_select_related = ["tenant"]
    readonly_fields = [
        "id", "sentence", "kind", "action", "progress_display", "state", "error_code",
        "message_display", "tenant", "target_type", "target_id", "requested_by", "celery_id",
        "created", "started", "finished", "deadline",
    ]  # fmt: skip
    fields = readonly_fields

    def get_changelist(self, request, **kwargs):
        return TaskChangeList

    def get_object(self, request, object_id, from_field=None):
        task = super().get_object(request, object_id, from_field)
        if task is not None:
            name_targets([task])
        return task

    @admin.display(description=_("operation"))
    def sentence(self, task):
        return task_sentence(task)

    @admin.display(description=_("message"))
    def message_display(self, task):
        return task.message

    @admin.display(description=_("progress"), ordering="state")
    def progress_display(self, task):
        return progress_bar(task)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["sentence", "time", "ip_address"]
    list_display_links = ["sentence"]
    list_filter = ["actor_type", "method", "status_code", "time"]
    search_fields = ["actor", "tenant_id", "action", "path", "object_id", "request_id"]
    date_hierarchy = "time"
    readonly_fields = ["sentence", *(f.name for f in AuditEvent._meta.fields)]

    @admin.display(description=_("event"))
    def sentence(self, event):
        return audit_sentence(event)
