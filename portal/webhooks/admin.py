import json

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.admin_base import ReadOnlyAdmin, act_on_each
from portal.core.principals import actor_of
from portal.webhooks import services
from portal.webhooks.forms import WebhookEndpointForm
from portal.webhooks.models import Delivery, WebhookEndpoint

STATE_COLOURS = {
    Delivery.State.PENDING: "#6b7280",
    Delivery.State.DELIVERED: "#16a34a",
    Delivery.State.FAILED: "#dc2626",
}


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "description", "enabled", "created_by", "created"]
    list_filter = ["enabled"]
    search_fields = ["url", "description"]
    readonly_fields = ["created_by", "created", "updated"]

    def save_model(self, request, obj, form, change):
        services.save_endpoint(obj, form.cleaned_data, actor=actor_of(request.user))

    def delete_model(self, request, obj):
        services.delete_endpoint(obj)

    def delete_queryset(self, request, queryset):
        for endpoint in queryset:
            services.delete_endpoint(endpoint)


@admin.action(description=_("Re-send now"))
def resend(model_admin, request, queryset):
    count = act_on_each(model_admin, request, queryset.select_related("endpoint"), services.resend)
    if count:
        message = ngettext(
            "%(count)d delivery queued to be sent again.",
            "%(count)d deliveries queued to be sent again.",
            count,
        )
        model_admin.message_user(request, message % {"count": count}, messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created", "event", "task", "endpoint", "state_display", "attempts",
        "last_status_code", "last_error", "next_attempt", "delivered",
    ]  # fmt: skip
    list_filter = ["state", "endpoint", "event", "created"]
    search_fields = ["id", "task__id", "task__target_id"]
    date_hierarchy = "created"
    list_select_related = ["endpoint", "task"]
    actions = [resend]
    readonly_fields = [
        "id", "event", "task", "endpoint", "state_display", "attempts", "attempts_allowed",
        "last_status_code", "last_error", "created", "last_attempt", "next_attempt",
        "delivered", "payload_display",
    ]  # fmt: skip
    fields = readonly_fields

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, delivery):
        return format_html(
            '<span style="color:{}">{}</span>',
            STATE_COLOURS.get(delivery.state, "inherit"),
            delivery.get_state_display(),
        )

    @admin.display(description=_("payload"))
    def payload_display(self, delivery):
        return format_html("<pre>{}</pre>", json.dumps(delivery.payload, indent=2))
