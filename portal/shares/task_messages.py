"""The sentences of the shares app's Tasks (core.task_messages), and what each Task kind
does in the Task list (core.sentences)."""

from django.utils.translation import gettext_lazy as _

from portal.core.sentences import names_from, operation, target_names
from portal.core.task_messages import Messages
from portal.shares.models import Share


class ShareMessages(Messages, prefix="shares"):
    FINDING_NETWORK = _("Finding or creating the share network")
    NO_SUBNET = _("The network %(network)s has no subnet for a share network.")
    CREATING = _("Creating the share")
    WAITING = _("Waiting for the share to be available")
    READING_SERVER = _("Reading the share server")
    READY = _("NAS share %(name)s is ready.")
    DELETING = _("Deleting the share")
    DELETING_NETWORK = _("Deleting share network %(id)s, which no share uses any more")
    DELETED = _("NAS share %(name)s was deleted.")
    RESIZING = _("Resizing the share to %(size)d GB")
    RESIZED = _("NAS share %(name)s now has %(size)d GB.")
    ALLOWING = _("Allowing %(access_to)s (%(level)s)")
    ALLOWED = _("%(access_to)s may mount NAS share %(name)s (%(level)s).")
    DENYING = _("Denying %(access_to)s")
    DENIED = _("%(access_to)s may no longer mount NAS share %(name)s.")
    THE_SHARE = _("the share")
    UNEXPECTED = _("an unexpected error")
    LEFT_IN_CLOUD = _(
        "The share %(id)s remains in the cloud for now; delete the NAS share to remove it."
    )
    THE_RESIZE = _("the resize")
    THE_DELETION = _("the deletion of the share")
    THE_NETWORK_DELETION = _("the deletion of the share network")
    THE_ACCESS_RULE = _("the access rule")
    READ = _("Read %(count)d NAS shares from the cloud.")
    TENANT_NOT_READY = _("The tenant is not set up in this cloud yet.")


operation(
    "shares.create", _("%(actor)s created NAS share %(target)s"), label=_("NAS share creation")
)
operation(
    "shares.delete", _("%(actor)s deleted NAS share %(target)s"), label=_("NAS share deletion")
)
operation("shares.resize", _("%(actor)s resized NAS share %(target)s"), label=_("NAS share resize"))
operation(
    "shares.access",
    _("%(actor)s changed who may mount NAS share %(target)s"),
    label=_("NAS share access rule"),
)
operation("shares.access", _("%(actor)s allowed access to %(target)s"), action="allow")
operation("shares.access", _("%(actor)s denied access to %(target)s"), action="deny")
operation(
    "shares.sync", _("%(actor)s synced the NAS shares of %(target)s"), label=_("NAS share sync")
)
target_names("share", names_from(Share, "share_id", "name"))
