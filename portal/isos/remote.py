"""What talking to an ISO store over FTP (portal/isos/ftp.py) or SSH (portal/isos/ssh.py)
shares: the error, the file listing's entries, the names the sync registers.

Not a cloud driver: no cloud SDK is involved. Every network failure is translated into a
`TransferError` whose code names what went wrong (refused, timeout, login incorrect,
directory missing, permission denied, disk full...), so Tasks and the "test connection"
answer say it exactly. Messages never contain a password or key.
"""

import ftplib
import socket
import ssl
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import paramiko

from portal.core.errors import PortalError
from portal.isos.task_messages import RemoteMessages as M

CONNECT_TIMEOUT = 10


class TransferError(PortalError):
    """A failure talking to an FTP or SSH server; `code` says which kind."""

    status = 503
    code = "ftp_error"


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int | None
    mtime: datetime | None


def is_iso_name(name: str) -> bool:
    """Names the sync registers: visible `*.iso` files (not our upload temporaries)."""
    return name.lower().endswith(".iso") and not name.startswith(".")


# ---- error translation ---------------------------------------------------------------


def _where(server, ssh=False):
    return f"{server.ssh_host}:{server.ssh_port}" if ssh else f"{server.host}:{server.port}"


def _network_error(exc: OSError, where: str) -> TransferError:
    if isinstance(exc, ConnectionRefusedError):
        return TransferError(M.REFUSED(where=where), code="connection_refused")
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return TransferError(M.CUT(where=where), code="connection_lost")
    if isinstance(exc, TimeoutError | socket.timeout):
        return TransferError(M.NO_ANSWER(where=where), code="timeout")
    if isinstance(exc, socket.gaierror):
        return TransferError(
            M.HOST_UNKNOWN(where=where),
            code="host_unknown",
        )
    if isinstance(exc, ssl.SSLError):
        return TransferError(M.TLS_FAILED(where=where), code="tls_failed")
    return TransferError(M.CONNECTION_FAILED(where=where), code="connection_failed")


def _reply_error(exc: ftplib.Error, doing: str) -> TransferError:
    """An FTP error reply, by its code (RFC 959 / 3659)."""
    reply = str(exc)
    number = reply[:3]
    text = reply[4:].strip()
    if number == "530":
        return TransferError(M.LOGIN_INCORRECT, code="login_incorrect")
    if number in ("452", "552") or (number[:1] in "45" and _sounds_full(text)):
        return TransferError(
            M.DISK_FULL(reply=text),
            code="disk_full",
        )
    if number in ("550", "553") and doing == "cwd":
        return TransferError(M.NO_DIRECTORY, code="directory_missing")
    if number in ("550", "553", "532"):
        return TransferError(
            M.PERMISSION_DENIED(reply=text),
            code="permission_denied",
        )
    if number in ("421", "425", "426"):
        return TransferError(
            M.DROPPED(reply=text),
            code="connection_lost",
        )
    return TransferError(
        M.REFUSED_TO(doing=doing, reply=reply),
        code="ftp_error",
    )


def _sounds_full(text):
    text = text.lower()
    return "space" in text or "quota" in text


@contextmanager
def translated_errors(server, doing, ssh=False):
    """Network, FTP and SSH failures inside the block raised as TransferErrors."""
    try:
        yield
    except TransferError:
        raise
    except ftplib.Error as exc:
        raise _reply_error(exc, doing) from exc
    except paramiko.AuthenticationException as exc:
        raise TransferError(M.SSH_LOGIN_INCORRECT, code="login_incorrect") from exc
    except paramiko.BadHostKeyException as exc:
        raise TransferError(
            M.HOST_KEY_MISMATCH(where=_where(server, ssh)),
            code="host_key_mismatch",
        ) from exc
    except paramiko.SSHException as exc:
        if "not found in known_hosts" in str(exc):
            raise TransferError(
                M.HOST_KEY_MISMATCH(where=_where(server, ssh)),
                code="host_key_mismatch",
            ) from exc
        raise TransferError(M.SSH_FAILED(where=_where(server, ssh)), code="ssh_error") from exc
    except (OSError, EOFError) as exc:
        if isinstance(exc, OSError):
            raise _network_error(exc, _where(server, ssh)) from exc
        raise TransferError(
            M.CLOSED(where=_where(server, ssh)),
            code="connection_lost",
        ) from exc
