"""FTP(S) with ftplib: the ISO directory's listing, reading and deleting files, and
uploads written to a temporary name, resumed after a dropped connection, then renamed."""

import ftplib
import io
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime

from portal.isos.remote import (
    CONNECT_TIMEOUT,
    RemoteFile,
    TransferError,
    is_iso_name,
    translated_errors,
)
from portal.isos.task_messages import RemoteMessages as M

BLOCK_SIZE = 1 << 20
# Reconnections an upload tries after a dropped connection before it gives up.
UPLOAD_ATTEMPTS = 3
# Replies that mean "the server does not know this command" (MLSD, REST fall-backs).
UNSUPPORTED_REPLIES = ("500", "501", "502", "504")
TEMP_PREFIX = ".portal-upload-"


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
        with translated_errors(server, "connect"):
            self.ftp.connect(server.host, server.port, timeout=self.timeout)
        with translated_errors(server, "log in"):
            self.ftp.login(server.username, server.password)
            if server.use_tls:
                self.ftp.prot_p()  # encrypt the data connections too
            self.ftp.set_pasv(server.passive)
        with translated_errors(server, "cwd"):
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
        with translated_errors(self.server, "list the directory"):
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
        with translated_errors(self.server, "delete the file"):
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
        with translated_errors(self.server, "read the file"):
            self.ftp.voidcmd("TYPE I")
            connection = self.ftp.transfercmd(f"RETR {name}")
        completed = False
        try:
            with connection, connection.makefile("rb") as stream:
                yield RemoteReader(self.server, stream)
            completed = True
        finally:
            if completed:
                with translated_errors(self.server, "read the file"):
                    self.ftp.voidresp()  # "226 Transfer complete"

    def rename(self, old, new):
        with translated_errors(self.server, "rename the file"):
            self.ftp.rename(old, new)

    def store(self, name, source, offset, callback):
        """STOR (or REST `offset` + STOR) `source` read from its current position."""
        with translated_errors(self.server, "store the file"):
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
        with translated_errors(self.server, "read the file"):
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
            M.SIZE_MISMATCH(remote=remote if remote is not None else "?", size=size),
            code="size_mismatch",
        )


def remove_quietly(server, name):
    """Remove a remote file if possible (cleanup after a failure: errors are ignored)."""
    try:
        with FtpSession(server) as session:
            session.delete(name)
    except TransferError:
        pass
