"""The FTP servers holding the clouds' ISOs: saving, deleting, testing the connection.

"Test connection" is the one synchronous network call of the ISOs app: an operator
waits for its answer (see test_connection).
"""

from dataclasses import dataclass

from django.db import models, transaction
from django.utils.translation import gettext as _

from portal.core.errors import Conflict
from portal.core.saving import assign_keeping_secrets, save_unique
from portal.isos.ftp import FtpSession
from portal.isos.models import FtpServer
from portal.isos.remote import TransferError
from portal.isos.ssh import SshSession

SECRET_FIELDS = ("password", "ssh_password", "ssh_private_key")
# "Test connection" answers while the operator waits: every step is bounded by this.
TEST_TIMEOUT_SECONDS = 5


@transaction.atomic
def save_ftp_server(server: FtpServer, changes: dict) -> FtpServer:
    """Create or update an FTP server. A blank secret keeps the stored one (write-only)."""
    assign_keeping_secrets(server, changes, SECRET_FIELDS)
    save_unique(server, _("An FTP server with this name already exists."))
    return server


def delete_ftp_server(server: FtpServer) -> None:
    """Forget an FTP server; refused while the portal still knows ISOs on it."""
    try:
        server.delete()
    except models.ProtectedError as exc:
        raise Conflict(
            _("The FTP server still holds ISOs known to the portal; delete them first."),
            code="in_use",
        ) from exc


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str
    code: str = ""


def test_connection(server: FtpServer) -> ConnectionCheck:
    """Log in to the FTP server (and the SSH host, if configured) and open the ISO
    directory; says whether it worked or the exact failure (code and sentence).

    Synchronous, unlike the other operations: the API contract answers `{ok, message}`
    at once and the operator is waiting for it; each network step is bounded by
    TEST_TIMEOUT_SECONDS, so a request never hangs on a dead server for long.
    """
    try:
        with FtpSession(server, timeout=TEST_TIMEOUT_SECONDS) as session:
            count = len(session.list_isos())
        if server.uses_ssh:
            with SshSession(server, timeout=TEST_TIMEOUT_SECONDS) as ssh:
                ssh.check_directory()
    except TransferError as exc:
        return ConnectionCheck(False, exc.message, exc.code)
    if server.uses_ssh:
        message = _("FTP and SSH connections work; %(count)d ISO files in the directory.")
    else:
        message = _("The FTP connection works; %(count)d ISO files in the directory.")
    return ConnectionCheck(True, message % {"count": count})
