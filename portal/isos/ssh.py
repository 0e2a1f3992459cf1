"""SSH/SFTP with paramiko, to the FTP server's storage host: listing the ISO directory
and checksums computed there. The host key is pinned, never trusted blindly."""

import base64
import binascii
import io
import posixpath
import shlex
from datetime import UTC, datetime

import paramiko

from portal.isos.remote import (
    CONNECT_TIMEOUT,
    RemoteFile,
    TransferError,
    is_iso_name,
    translated_errors,
)
from portal.isos.task_messages import RemoteMessages as M


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
        with translated_errors(server, "connect", ssh=True):
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
        with translated_errors(self.server, "list the directory", ssh=True):
            try:
                self.sftp.listdir(self.server.ssh_dir)
            except FileNotFoundError as exc:
                raise TransferError(M.NO_SSH_DIRECTORY, code="directory_missing") from exc

    def list_isos(self) -> list[RemoteFile]:
        with translated_errors(self.server, "list the directory", ssh=True):
            try:
                entries = self.sftp.listdir_attr(self.server.ssh_dir)
            except FileNotFoundError as exc:
                raise TransferError(M.NO_SSH_DIRECTORY, code="directory_missing") from exc
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
        with translated_errors(self.server, "compute a checksum", ssh=True):
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
            M.HOST_KEY_MISSING,
            code="host_key_missing",
        )
    try:
        return paramiko.PKey.from_type_string(parts[0], base64.b64decode(parts[1]))
    except (ValueError, binascii.Error, paramiko.SSHException) as exc:
        raise TransferError(M.HOST_KEY_INVALID, code="host_key_invalid") from exc


def _private_key(text):
    if not text:
        return None
    for key_class in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return key_class.from_private_key(io.StringIO(text))
        except (paramiko.SSHException, ValueError):
            continue
    raise TransferError(M.PRIVATE_KEY_INVALID, code="private_key_invalid")
