"""Talking to an ISO store: FTP(S) with ftplib, SSH/SFTP with paramiko.

Not a cloud driver: no cloud SDK is involved. Every network failure is translated into a
`TransferError` whose code names what went wrong (refused, timeout, login incorrect,
directory missing, permission denied, disk full...), so Tasks and the "test connection"
answer say it exactly. Messages never contain a password or key.
"""

import base64
import binascii
import ftplib
import io
import posixpath
import shlex
import socket
import ssl
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import paramiko
from django.utils.translation import gettext as _

from portal.core.errors import PortalError

CONNECT_TIMEOUT = 10
BLOCK_SIZE = 1 << 20
# Reconnections an upload tries after a dropped connection before it gives up.
UPLOAD_ATTEMPTS = 3
# Replies that mean "the server does not know this command" (MLSD, REST fall-backs).
UNSUPPORTED_REPLIES = ("500", "501", "502", "504")
TEMP_PREFIX = ".portal-upload-"


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
        return TransferError(
            _("Connection refused by %(where)s.") % {"where": where}, code="connection_refused"
        )
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return TransferError(
            _("The connection to %(where)s was cut.") % {"where": where}, code="connection_lost"
        )
    if isinstance(exc, TimeoutError | socket.timeout):
        return TransferError(
            _("No answer from %(where)s in time.") % {"where": where}, code="timeout"
        )
    if isinstance(exc, socket.gaierror):
        return TransferError(
            _("The host name of %(where)s cannot be resolved.") % {"where": where},
            code="host_unknown",
        )
    if isinstance(exc, ssl.SSLError):
        return TransferError(_("TLS failed with %(where)s.") % {"where": where}, code="tls_failed")
    return TransferError(
        _("The connection to %(where)s failed.") % {"where": where}, code="connection_failed"
    )


def _reply_error(exc: ftplib.Error, doing: str) -> TransferError:
    """An FTP error reply, by its code (RFC 959 / 3659)."""
    reply = str(exc)
    number = reply[:3]
    text = reply[4:].strip()
    if number == "530":
        return TransferError(_("Login incorrect."), code="login_incorrect")
    if number in ("452", "552") or (number[:1] in "45" and _sounds_full(text)):
        return TransferError(
            _("The FTP server is out of space or over quota (%(reply)s).") % {"reply": text},
            code="disk_full",
        )
    if number in ("550", "553") and doing == "cwd":
        return TransferError(_("The directory does not exist."), code="directory_missing")
    if number in ("550", "553", "532"):
        return TransferError(
            _("Permission denied by the FTP server (%(reply)s).") % {"reply": text},
            code="permission_denied",
        )
    if number in ("421", "425", "426"):
        return TransferError(
            _("The FTP server dropped the connection (%(reply)s).") % {"reply": text},
            code="connection_lost",
        )
    return TransferError(
        _("The FTP server refused to %(doing)s: %(reply)s") % {"doing": doing, "reply": reply},
        code="ftp_error",
    )


def _sounds_full(text):
    text = text.lower()
    return "space" in text or "quota" in text


@contextmanager
def _translated(server, doing, ssh=False):
    try:
        yield
    except TransferError:
        raise
    except ftplib.Error as exc:
        raise _reply_error(exc, doing) from exc
    except paramiko.AuthenticationException as exc:
        raise TransferError(_("SSH login incorrect."), code="login_incorrect") from exc
    except paramiko.BadHostKeyException as exc:
        raise TransferError(
            _("The SSH host key of %(where)s is not the pinned one.")
            % {"where": _where(server, ssh)},
            code="host_key_mismatch",
        ) from exc
    except paramiko.SSHException as exc:
        if "not found in known_hosts" in str(exc):
            raise TransferError(
                _("The SSH host key of %(where)s is not the pinned one.")
                % {"where": _where(server, ssh)},
                code="host_key_mismatch",
            ) from exc
        raise TransferError(
            _("SSH failed with %(where)s.") % {"where": _where(server, ssh)}, code="ssh_error"
        ) from exc
    except (OSError, EOFError) as exc:
        if isinstance(exc, OSError):
            raise _network_error(exc, _where(server, ssh)) from exc
        raise TransferError(
            _("The connection to %(where)s was closed.") % {"where": _where(server, ssh)},
            code="connection_lost",
        ) from exc


# ---- FTP -----------------------------------------------------------------------------


class FtpSession:
    """A logged-in FTP(S) connection, in the server's ISO directory."""

    def __init__(self, server, timeout=CONNECT_TIMEOUT):
        self.server = server
        self.timeout = timeout
        self.ftp = None

    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, *exc_info):
        self.close()

    def connect(self):
        server = self.server
        self.ftp = ftplib.FTP_TLS() if server.use_tls else ftplib.FTP()
        with _translated(server, "connect"):
            self.ftp.connect(server.host, server.port, timeout=self.timeout)
        with _translated(server, "log in"):
            self.ftp.login(server.username, server.password)
            if server.use_tls:
                self.ftp.prot_p()  # encrypt the data connections too
            self.ftp.set_pasv(server.passive)
        with _translated(server, "cwd"):
            self.ftp.cwd(server.base_dir or "/")

    def close(self):
        if self.ftp is None:
            return
        try:
            self.ftp.quit()
        except (OSError, EOFError, ftplib.Error):
            self.ftp.close()
        self.ftp = None

    def list_isos(self) -> list[RemoteFile]:
        """The ISO directory's `*.iso` files: MLSD (RFC 3659), else LIST + SIZE/MDTM."""
        with _translated(self.server, "list the directory"):
            try:
                entries = list(self.ftp.mlsd(facts=["type", "size", "modify"]))
            except ftplib.error_perm as exc:
                if not str(exc).startswith(UNSUPPORTED_REPLIES):
                    raise
                return self._list_without_mlsd()
        return [
            RemoteFile(name, _int(facts.get("size")), _ftp_time(facts.get("modify")))
            for name, facts in entries
            if facts.get("type", "file") == "file" and is_iso_name(name)
        ]

    def _list_without_mlsd(self):
        lines = []
        self.ftp.retrlines("LIST", lines.append)
        names = [name for name in (_list_line_name(line) for line in lines) if name]
        return [
            RemoteFile(name, self.size(name), self.modified(name))
            for name in names
            if is_iso_name(name)
        ]

    def size(self, name) -> int | None:
        try:
            self.ftp.voidcmd("TYPE I")  # SIZE is defined for binary mode
            return _int(self.ftp.size(name))
        except ftplib.error_perm:
            return None

    def modified(self, name) -> datetime | None:
        try:
            return _ftp_time(self.ftp.voidcmd(f"MDTM {name}")[4:].strip())
        except ftplib.error_perm:
            return None

    def delete(self, name, *, missing_ok=True):
        with _translated(self.server, "delete the file"):
            try:
                self.ftp.delete(name)
            except ftplib.error_perm as exc:
                if not (missing_ok and str(exc).startswith("550") and self.size(name) is None):
                    raise

    @contextmanager
    def reading(self, name):
        """The remote file as a binary stream read block by block (RETR in binary mode):
        constant memory whatever the file's size. Network errors while reading are
        TransferErrors like the others."""
        with _translated(self.server, "read the file"):
            self.ftp.voidcmd("TYPE I")
            connection = self.ftp.transfercmd(f"RETR {name}")
        completed = False
        try:
            with connection, connection.makefile("rb") as stream:
                yield RemoteReader(self.server, stream)
            completed = True
        finally:
            if completed:
                with _translated(self.server, "read the file"):
                    self.ftp.voidresp()  # "226 Transfer complete"

    def rename(self, old, new):
        with _translated(self.server, "rename the file"):
            self.ftp.rename(old, new)

    def store(self, name, source, offset, callback):
        """STOR (or REST `offset` + STOR) `source` read from its current position."""
        with _translated(self.server, "store the file"):
            try:
                self.ftp.storbinary(
                    f"STOR {name}", source, blocksize=BLOCK_SIZE, callback=callback,
                    rest=offset or None,
                )  # fmt: skip
            except OSError:
                # The server may have said why it closed the data connection (disk full).
                reason = self._pending_reply()
                if reason is not None:
                    raise reason from None
                raise

    def _pending_reply(self):
        """The error reply waiting on the control connection, if any (else None)."""
        try:
            self.ftp.sock.settimeout(2)
            self.ftp.getresp()
        except ftplib.Error as reply:
            return reply
        except (OSError, EOFError, AttributeError):
            return None
        return None


class RemoteReader(io.RawIOBase):
    """A file being read from an FTP data connection; errors become TransferErrors."""

    def __init__(self, server, stream):
        self.server, self.stream = server, stream

    def readable(self):
        return True

    def read(self, size=-1):
        with _translated(self.server, "read the file"):
            return self.stream.read(BLOCK_SIZE if size is None or size < 0 else size)

    def readinto(self, buffer):
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ftp_time(value):
    """An FTP time value (YYYYMMDDHHMMSS[.sss], UTC) as an aware datetime."""
    if not value:
        return None
    try:
        return datetime.strptime(value[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _list_line_name(line: str) -> str | None:
    """The file name of a Unix-style LIST line (`-rw-r--r-- 1 u g SIZE Mon DD HH:MM NAME`);
    None for directories and lines of other formats."""
    parts = line.split(None, 8)
    if len(parts) < 9 or not line.startswith("-"):
        return None
    return parts[8]


# ---- uploads -------------------------------------------------------------------------


def upload_file(server, source, size, final_name, progress: Callable[[int], None]):
    """Send `source` (a seekable binary file of `size` bytes) to `final_name`.

    Written to a temporary name first and renamed when complete, so no half file is ever
    visible under an ISO name. A dropped connection is resumed with REST where the server
    supports it (else restarted), up to UPLOAD_ATTEMPTS times. The remote SIZE is checked
    before the rename. On failure the temporary file is removed (best effort) and the
    TransferError is raised. `progress(bytes_sent)` is called as blocks go out.
    """
    temp_name = temp_name_for(final_name)
    try:
        for attempt in range(1, UPLOAD_ATTEMPTS + 1):
            try:
                with FtpSession(server) as session:
                    _send(session, source, size, temp_name, progress)
                    _check_size(session, temp_name, size)
                    session.delete(final_name)  # RNTO over an existing file fails on some
                    session.rename(temp_name, final_name)
                    return
            except TransferError as exc:
                if exc.code not in ("connection_lost", "timeout") or attempt == UPLOAD_ATTEMPTS:
                    raise
    except TransferError:
        remove_quietly(server, temp_name)
        raise


def temp_name_for(final_name):
    """Where an upload is written until it is complete (hidden: the sync skips it)."""
    return f"{TEMP_PREFIX}{final_name}.part"


def _send(session, source, size, temp_name, progress):
    offset = (session.size(temp_name) or 0) if _resumable(session) else 0
    if offset > size:
        offset = 0
    source.seek(offset)
    sent = offset

    def count(block):
        nonlocal sent
        sent += len(block)
        progress(sent)

    session.store(temp_name, source, offset, count)


def _resumable(session):
    """Whether the server accepts REST in stream mode (RFC 3659); checked once."""
    try:
        session.ftp.voidcmd("TYPE I")
        session.ftp.sendcmd("REST 0")
        return True
    except ftplib.error_perm:
        return False


def _check_size(session, name, size):
    remote = session.size(name)
    if remote != size:
        raise TransferError(
            _("The FTP server holds %(remote)s bytes of the %(size)d sent.")
            % {"remote": remote if remote is not None else "?", "size": size},
            code="size_mismatch",
        )


def remove_quietly(server, name):
    """Remove a remote file if possible (cleanup after a failure: errors are ignored)."""
    try:
        with FtpSession(server) as session:
            session.delete(name)
    except TransferError:
        pass


# ---- SSH -----------------------------------------------------------------------------


class SshSession:
    """An SSH connection to the storage host, its host key pinned (never trusted blindly)."""

    def __init__(self, server, timeout=CONNECT_TIMEOUT):
        self.server = server
        self.timeout = timeout
        self.client = None
        self.sftp = None

    def __enter__(self):
        server = self.server
        self.client = paramiko.SSHClient()
        self.client.set_missing_host_key_policy(paramiko.RejectPolicy())
        with _translated(server, "connect", ssh=True):
            host_key = _pinned_host_key(server)
            entry = (
                server.ssh_host
                if server.ssh_port == 22
                else (f"[{server.ssh_host}]:{server.ssh_port}")
            )
            self.client.get_host_keys().add(entry, host_key.get_name(), host_key)
            self.client.connect(
                server.ssh_host,
                port=server.ssh_port,
                username=server.ssh_username,
                password=server.ssh_password or None,
                pkey=_private_key(server.ssh_private_key),
                timeout=self.timeout,
                banner_timeout=self.timeout,
                auth_timeout=self.timeout,
                look_for_keys=False,
                allow_agent=False,
            )
            self.sftp = self.client.open_sftp()
            self.sftp.get_channel().settimeout(self.timeout)
        return self

    def __exit__(self, *exc_info):
        if self.client is not None:
            self.client.close()

    def check_directory(self):
        with _translated(self.server, "list the directory", ssh=True):
            try:
                self.sftp.listdir(self.server.ssh_dir)
            except FileNotFoundError as exc:
                raise TransferError(
                    _("The SSH directory does not exist."), code="directory_missing"
                ) from exc

    def list_isos(self) -> list[RemoteFile]:
        with _translated(self.server, "list the directory", ssh=True):
            try:
                entries = self.sftp.listdir_attr(self.server.ssh_dir)
            except FileNotFoundError as exc:
                raise TransferError(
                    _("The SSH directory does not exist."), code="directory_missing"
                ) from exc
        return [
            RemoteFile(
                entry.filename,
                entry.st_size,
                datetime.fromtimestamp(entry.st_mtime, UTC) if entry.st_mtime else None,
            )
            for entry in entries
            if is_iso_name(entry.filename) and _is_regular(entry)
        ]

    def sha256(self, name) -> str:
        """The file's SHA-256, computed on the storage host (no bytes cross the network)."""
        path = posixpath.join(self.server.ssh_dir, name)
        with _translated(self.server, "compute a checksum", ssh=True):
            _, out, _err = self.client.exec_command(f"sha256sum -- {shlex.quote(path)}")
            words = out.read().decode(errors="replace").split()
        digest = words[0] if words else ""
        return digest if len(digest) == 64 else ""


def _is_regular(entry):
    return entry.st_mode is None or (entry.st_mode & 0o170000) == 0o100000


def _pinned_host_key(server):
    parts = (server.ssh_host_key or "").split()
    if len(parts) < 2:
        raise TransferError(
            _("No SSH host key is pinned for this server; enter the storage host's public key."),
            code="host_key_missing",
        )
    try:
        return paramiko.PKey.from_type_string(parts[0], base64.b64decode(parts[1]))
    except (ValueError, binascii.Error, paramiko.SSHException) as exc:
        raise TransferError(
            _("The pinned SSH host key is not a valid public key."), code="host_key_invalid"
        ) from exc


def _private_key(text):
    if not text:
        return None
    for key_class in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return key_class.from_private_key(io.StringIO(text))
        except (paramiko.SSHException, ValueError):
            continue
    raise TransferError(_("The SSH private key cannot be read."), code="private_key_invalid")
