"""The admin actions of every mirrored resource's list: "Sync now", and enable/disable."""

from django.contrib import admin, messages
from django.utils.translation import ngettext

from portal.clouds.models import Cloud
from portal.clouds.sync import SYNC_KINDS, request_sync
from portal.core.flags import set_enabled
from portal.core.principals import actor_of


def sync_now_action(kind: str, description):
    """An admin action queueing a pull of `kind` for the enabled clouds of the selected
    rows (any model with a `cloud`)."""

    @admin.action(description=description)
    def sync_now(model_admin, request, queryset):
        clouds = Cloud.objects.filter(pk__in=queryset.values("cloud"), enabled=True)
        for cloud in clouds:
            request_sync(kind, cloud=cloud, actor=actor_of(request.user))
        message = ngettext(
            "%(what)s of %(count)d cloud queued; see Tasks for its progress.",
            "%(what)s of %(count)d clouds queued; see Tasks for their progress.",
            len(clouds),
        )
        what = SYNC_KINDS[kind].verbose_name
        model_admin.message_user(
            request, message % {"what": what, "count": len(clouds)}, messages.SUCCESS
        )

    return sync_now


def set_enabled_action(enabled: bool, description, done_message):
    """The "enable" (or "disable") admin action: sets the portal's flag of the selected
    rows and says how many changed (`done_message` % {"count": n})."""

    @admin.action(description=description, permissions=["change"])
    def action(model_admin, request, queryset):
        count = set_enabled(queryset, enabled)
        model_admin.message_user(request, done_message % {"count": count})

    action.__name__ = "enable" if enabled else "disable"  # the action's name in requests
    return action
