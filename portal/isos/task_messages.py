"""The sentences of the ISO app's Tasks (core.task_messages), and of the FTP and SSH
errors that fail them (remote.TransferError)."""

from django.utils.translation import gettext_lazy as _

from portal.core.sentences import names_from, operation, target_names
from portal.core.task_messages import Messages
from portal.isos.models import Iso


class IsoMessages(Messages, prefix="isos"):
    SERVER_FAILED = _("FTP server %(name)s: %(reason)s")
    BYTES_SENT = _("%(sent)d bytes sent.")
    UPLOADED = _("Uploaded %(name)s (%(size)d bytes).")
    DELETED = _("Deleted %(name)s.")


class RemoteMessages(Messages, prefix="isos.remote"):
    REFUSED = _("Connection refused by %(where)s.")
    CUT = _("The connection to %(where)s was cut.")
    NO_ANSWER = _("No answer from %(where)s in time.")
    HOST_UNKNOWN = _("The host name of %(where)s cannot be resolved.")
    TLS_FAILED = _("TLS failed with %(where)s.")
    CONNECTION_FAILED = _("The connection to %(where)s failed.")
    LOGIN_INCORRECT = _("Login incorrect.")
    DISK_FULL = _("The FTP server is out of space or over quota (%(reply)s).")
    NO_DIRECTORY = _("The directory does not exist.")
    PERMISSION_DENIED = _("Permission denied by the FTP server (%(reply)s).")
    DROPPED = _("The FTP server dropped the connection (%(reply)s).")
    REFUSED_TO = _("The FTP server refused to %(doing)s: %(reply)s")
    SSH_LOGIN_INCORRECT = _("SSH login incorrect.")
    HOST_KEY_MISMATCH = _("The SSH host key of %(where)s is not the pinned one.")
    SSH_FAILED = _("SSH failed with %(where)s.")
    CLOSED = _("The connection to %(where)s was closed.")
    SIZE_MISMATCH = _("The FTP server holds %(remote)s bytes of the %(size)d sent.")
    NO_SSH_DIRECTORY = _("The SSH directory does not exist.")
    HOST_KEY_MISSING = _(
        "No SSH host key is pinned for this server; enter the storage host's public key."
    )
    HOST_KEY_INVALID = _("The pinned SSH host key is not a valid public key.")
    PRIVATE_KEY_INVALID = _("The SSH private key cannot be read.")


operation("isos.sync", _("%(actor)s synced the ISOs of %(target)s"), label=_("ISO sync"))
operation("isos.upload", _("%(actor)s uploaded ISO %(target)s"), label=_("ISO upload"))
operation("isos.delete", _("%(actor)s deleted ISO %(target)s"), label=_("ISO deletion"))
target_names("iso", names_from(Iso, "iso_id", "file_name"))
