"""The sentences of the servers app's Tasks (core.task_messages): steps, outcomes, and what
is waited for (the `what` of clouds.polling's errors)."""

from django.utils.translation import gettext_lazy as _

from portal.core.sentences import names_from, operation, target_names
from portal.core.task_messages import Messages, Template
from portal.servers.cloud_states import RUNTIME_STATES
from portal.servers.disks.models import Volume
from portal.servers.models import Flavor, KeyPair, Server


class CreateMessages(Messages, prefix="servers.create"):
    WAITING = _("Waiting for the server and its disks to be ready")
    CREATING_SERVER = _("Creating the server with its system disk")
    CREATING_DISKS = _("Creating %(count)d data disk(s)")
    ATTACHING_DISKS = _("Attaching the data disks")
    READY = _("Server %(name)s is ready.")
    FAILED = _("Creating the server failed (%(reason)s); what was made was removed.")
    UNEXPECTED = _("an unexpected error")
    THE_BUILD = _("the build")
    A_DATA_DISK = _("a data disk")
    ATTACHING_A_DISK = _("attaching a data disk")


class DeleteMessages(Messages, prefix="servers.delete"):
    CLEANUP_FAILED = _(
        "Removing what the failed create left in the cloud failed (%(reason)s); "
        "the next state sync tries again."
    )
    LEFTOVERS_REMOVED = _(
        "What the failed create of server %(name)s left in the cloud was removed."
    )
    DELETING_DISK = _("Deleting data disk %(name)s")
    DELETING_SERVER = _("Deleting the server")
    DELETED = _("Server %(name)s was deleted.")
    DETACHING_DISKS = _("Detaching the data disks")
    DETACHING_A_DISK = _("detaching a data disk")
    THE_DELETION = _("the deletion")
    DETACHING = _("detaching")


class ResizeMessages(Messages, prefix="servers.resize"):
    CHECKING = _("Checking the server")
    STOPPING_FOR_COLD = _("Stopping the server for a cold resize")
    RESIZING = _("Resizing to flavor %(name)s")
    WAITING_VERIFY = _("Waiting for the cloud to verify the resize")
    WAITING_RESIZED = _("Waiting for the cloud to finish the resize")
    CONFIRMING = _("Confirming the resize")
    REVERTING = _("Reverting the resize")
    STARTING_AGAIN = _("Starting the server again")
    RESIZED = _("The server now has flavor %(name)s.")
    AWAITS_CONFIRMATION = _("Resized to flavor %(name)s; confirm or revert the resize.")
    REVERTED = _("The resize was reverted; the server has flavor %(name)s.")
    STOPPING = _("stopping")
    STARTING = _("starting")
    THE_RESIZE = _("the resize")
    CONFIRMING_THE_RESIZE = _("confirming the resize")
    REVERTING_THE_RESIZE = _("reverting the resize")


class PowerMessages(Messages, prefix="servers.power"):
    ASKING = _("Asking the cloud to %(op)s the server")
    WAITING = _("Waiting for the server to be %(state)s")
    SETTLED = _("The server is %(state)s.")


class OperationVerbs(Messages, prefix="servers.verb"):
    """The power operations as the steps name them (a verb in the infinitive), by
    operate_type in upper case: `operation_verb("stop")`."""

    START = _("start")
    STOP = _("stop")
    SOFTREBOOT = _("reboot")
    HARDREBOOT = _("hard-reboot")
    SUSPEND = _("suspend")
    RESUME = _("resume")
    PAUSE = _("pause")
    UNPAUSE = _("unpause")
    LOCK = _("lock")
    UNLOCK = _("unlock")


def operation_verb(operate_type):
    return getattr(OperationVerbs, operate_type.upper(), operate_type)


# The cloud statuses as task message parameters, with the labels the admin shows.
RUNTIME_STATE_LABELS = {
    value: Template(f"servers.state.{value.lower()}", label) for value, label in RUNTIME_STATES
}


def runtime_state_label(value):
    """A Nova status as a task message parameter: its label, or the value if unlisted."""
    return RUNTIME_STATE_LABELS.get(value, value)


class FlavorMessages(Messages, prefix="servers.flavor"):
    READ = _("Read %(count)d flavors from the cloud.")
    CREATING = _("Creating flavor %(name)s")
    SHARING_WITH = _("Sharing it with %(count)d tenant(s)")
    CREATED = _("Flavor %(name)s was created.")
    SHARING = _("Sharing flavor %(name)s")
    SHARED = _("Flavor %(name)s: %(added)d tenant(s) added, %(removed)d removed.")
    DELETING = _("Deleting flavor %(name)s")
    DELETED = _("Flavor %(name)s was deleted.")
    NOT_FOUND = _("No such flavor in this region.")


class KeyPairMessages(Messages, prefix="servers.keypair"):
    READY = _("Key pair %(name)s is ready.")
    DELETED = _("Key pair %(name)s was deleted.")


class ConsoleMessages(Messages, prefix="servers.console"):
    READY = _("The %(protocol)s console is ready.")
    LOG_READ = _("The last %(lines)d lines of the console log were read.")


class SyncMessages(Messages, prefix="servers.sync"):
    READ = _("Read %(count)d servers from the cloud.")
    CLEANUPS = _(
        "%(counts)s Removal of what %(count)d failed create(s) left in the cloud was queued."
    )
    WITH_DISKS = _("Servers: %(counts)s Disks: %(disks)s")


class CdromMessages(Messages, prefix="servers.cdrom"):
    ALREADY = _("The mount is %(status)s already.")
    REMOVING_LEFTOVER = _("Removing the CD volume of an interrupted attempt")
    REGISTERING = _("Registering the ISO in the image service")
    CREATING_VOLUME = _("Creating the CD volume")
    ATTACHING = _("Attaching the CD volume to the server")
    MOUNTED = _("ISO %(iso)s mounted on %(server)s as %(device)s.")
    WAITING_REGISTRATION = _("Waiting for another mount to register the ISO")
    SIZE_UNKNOWN = _("The FTP server does not say how large %(name)s is.")
    BYTES_SENT = _("%(sent)d bytes sent.")
    DETACHING = _("Detaching the CD volume")
    DELETING = _("Deleting the CD volume")
    VOLUME_LEFT = _(
        "The ISO was unmounted, but its volume %(volume)s could not be deleted: %(why)s"
    )
    UNMOUNTED = _("ISO %(iso)s unmounted from %(server)s.")
    RELEASE_FAILED = _(
        "The CD volume %(volume)s of the deleted server could not be deleted: %(why)s"
    )
    RELEASED = _("The CD volume of the deleted server was deleted.")
    THE_CD_VOLUME = _("the CD volume")
    ATTACHING_THE_CD_VOLUME = _("attaching the CD volume")
    DETACHING_THE_CD_VOLUME = _("detaching the CD volume")
    THE_ISO_REGISTRATION = _("the ISO registration")


class DiskMessages(Messages, prefix="servers.disk"):
    CREATING = _("Creating the disk in the cloud")
    WAITING = _("Waiting for the cloud to make the disk")
    CREATED = _("Disk %(name)s is ready (%(size)d GB).")
    CREATE_FAILED = _("Creating the disk failed (%(reason)s); what was made was removed.")
    UNEXPECTED = _("an unexpected error")
    EXTENDING = _("Extending the disk to %(size)d GB")
    EXTENDED = _("Disk %(name)s now has %(size)d GB.")
    EXTEND_FAILED = _("Extending the disk failed (%(reason)s); it still has %(size)d GB.")
    RENAMING = _("Saving the name and description in the cloud")
    RENAMED = _("Disk %(name)s was renamed.")
    ATTACHING = _("Attaching the disk to server %(server)s")
    ATTACHED = _("Disk %(name)s is attached to %(server)s as %(device)s.")
    DETACHING = _("Detaching the disk from server %(server)s")
    DETACHED = _("Disk %(name)s was detached from %(server)s.")
    DELETING = _("Deleting the disk")
    DELETED = _("Disk %(name)s was deleted.")
    THE_DISK = _("the disk")
    THE_EXTENSION = _("the extension")
    THE_ATTACHMENT = _("the attachment")
    THE_DETACHMENT = _("the detachment")
    THE_DELETION = _("the deletion")


# ---- the Task list's sentences (core.sentences) ------------------------------------------

operation("server.create", _("%(actor)s created server %(target)s"), label=_("server creation"))
operation("server.delete", _("%(actor)s deleted server %(target)s"), label=_("server deletion"))
operation("server.resize", _("%(actor)s resized server %(target)s"), label=_("resize"))
operation(
    "server.resize_confirm",
    _("%(actor)s confirmed the resize of %(target)s"),
    label=_("resize confirmation"),
)
operation(
    "server.resize_revert",
    _("%(actor)s reverted the resize of %(target)s"),
    label=_("resize revert"),
)
operation(
    "server.cleanup",
    _("%(actor)s removed what the failed create of %(target)s left"),
    label=_("cleanup of a failed create"),
)
operation(
    "server.console", _("%(actor)s opened the console of %(target)s"), label=_("remote console")
)
operation(
    "server.console_log", _("%(actor)s read the console log of %(target)s"), label=_("console log")
)
operation(
    "server.operate",
    _("%(actor)s ran a power operation on %(target)s"),
    label=_("power operation"),
)
operation("server.operate", _("%(actor)s started %(target)s"), action="start")
operation("server.operate", _("%(actor)s stopped %(target)s"), action="stop")
operation("server.operate", _("%(actor)s rebooted %(target)s"), action="softreboot")
operation("server.operate", _("%(actor)s hard-rebooted %(target)s"), action="hardreboot")
operation("server.operate", _("%(actor)s suspended %(target)s"), action="suspend")
operation("server.operate", _("%(actor)s resumed %(target)s"), action="resume")
operation("server.operate", _("%(actor)s paused %(target)s"), action="pause")
operation("server.operate", _("%(actor)s unpaused %(target)s"), action="unpause")
operation("server.operate", _("%(actor)s locked %(target)s"), action="lock")
operation("server.operate", _("%(actor)s unlocked %(target)s"), action="unlock")
operation("servers.sync", _("%(actor)s synced the servers of %(target)s"), label=_("state sync"))
operation("flavors.sync", _("%(actor)s synced the flavors of %(target)s"), label=_("flavor sync"))
operation(
    "flavors.create", _("%(actor)s created a flavor in %(target)s"), label=_("flavor creation")
)
operation("flavors.share", _("%(actor)s shared flavor %(target)s"), label=_("flavor sharing"))
operation("flavors.delete", _("%(actor)s deleted flavor %(target)s"), label=_("flavor deletion"))
operation("keypair.import", _("%(actor)s imported key pair %(target)s"), label=_("key pair import"))
operation(
    "keypair.delete", _("%(actor)s deleted key pair %(target)s"), label=_("key pair deletion")
)
operation("isos.mount", _("%(actor)s mounted an ISO on %(target)s"), label=_("ISO mount"))
operation("isos.unmount", _("%(actor)s unmounted the ISO of %(target)s"), label=_("ISO unmount"))
operation(
    "isos.release", _("%(actor)s deleted the CD volume of %(target)s"), label=_("CD volume release")
)
operation("disk.create", _("%(actor)s created disk %(target)s"), label=_("disk creation"))
operation("disk.extend", _("%(actor)s extended disk %(target)s"), label=_("disk extension"))
operation("disk.update", _("%(actor)s renamed disk %(target)s"), label=_("disk rename"))
operation("disk.attach", _("%(actor)s attached disk %(target)s"), label=_("disk attachment"))
operation("disk.detach", _("%(actor)s detached disk %(target)s"), label=_("disk detachment"))
operation("disk.delete", _("%(actor)s deleted disk %(target)s"), label=_("disk deletion"))
target_names("server", names_from(Server, "instance_id", "name"))
target_names("volume", names_from(Volume, "volume_id", "name"))
target_names("flavor", names_from(Flavor, "pk", "name"))
target_names("keypair", names_from(KeyPair, "keypair_id", "name"))
