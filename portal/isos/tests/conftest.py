"""Real servers on loopback for the ISO tests: pyftpdlib (FTP) and OpenSSH (SSH/SFTP).

`ftpd` is a pyftpdlib server in a thread with a temporary root; its `knobs` simulate what
real servers do wrong: a full disk or quota, a connection dropped part way through a
transfer, no MLSD. `sshd` is Debian's OpenSSH server on a free high port, with a host key
and a client key generated for the run (the host key is pinned, as in production).
"""

import errno
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import DTPHandler, FTPHandler
from pyftpdlib.ioloop import IOLoop
from pyftpdlib.servers import FTPServer

from portal.isos.tests.factories import FtpServerFactory

FTP_USER, FTP_PASSWORD = "isos", "ftp-secret"
logger = logging.getLogger(__name__)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Knobs:
    quota_bytes: int | None = None  # writes past this many bytes fail with ENOSPC
    drop_after_bytes: int | None = None  # the connection is cut after this many bytes...
    drops: int = 0  # ...this many times
    mlsd: bool = True
    written: int = field(default=0)


class _QuotaFile:
    """A file whose writes honour the server's knobs."""

    def __init__(self, file, channel):
        self._file, self._channel = file, channel

    def write(self, data):
        knobs = self._channel.knobs
        knobs.written += len(data)
        if knobs.quota_bytes is not None and knobs.written > knobs.quota_bytes:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if knobs.drops and knobs.drop_after_bytes and knobs.written > knobs.drop_after_bytes:
            knobs.drops -= 1
            knobs.written = 0
            self._file.write(data[: len(data) // 2])
            self._channel.close()  # the control and data connections go down
            return len(data)
        return self._file.write(data)

    def __getattr__(self, name):
        return getattr(self._file, name)


class _KnobFS(AbstractedFS):
    def open(self, filename, mode):
        file = super().open(filename, mode)
        writing = any(flag in mode for flag in "wa+")  # STOR, APPE, REST + STOR
        return _QuotaFile(file, self.cmd_channel) if writing else file


class _DiskFullDTP(DTPHandler):
    """Answers a full disk as real servers do (452), not with pyftpdlib's bare 426."""

    def handle_error(self):
        cause = getattr(sys.exc_info()[1], "__cause__", None)
        if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
            self._resp = ("452 Insufficient storage space; transfer aborted.", logger.info)
            self.close()
            return
        super().handle_error()


class LoopbackFtp:
    def __init__(self, root: Path, *, perm="elradfmwMT"):
        self.root = root
        self.iso_dir = root / "isos"
        self.iso_dir.mkdir(parents=True)
        self.knobs = Knobs()
        authorizer = DummyAuthorizer()
        authorizer.add_user(FTP_USER, FTP_PASSWORD, str(root), perm=perm)
        knobs = self.knobs

        class Handler(FTPHandler):
            abstracted_fs = _KnobFS
            dtp_handler = _DiskFullDTP

            def ftp_MLSD(self, path):
                if not knobs.mlsd:
                    return self.respond("502 Command not implemented.")
                return super().ftp_MLSD(path)

        Handler.knobs = knobs
        Handler.authorizer = authorizer
        Handler.passive_ports = None
        Handler.auth_failed_timeout = 0.1  # no 3 s pause after a wrong password
        self.port = free_port()
        # An IOLoop of its own: two servers in one process must not share the global one.
        self._server = FTPServer(("127.0.0.1", self.port), Handler, ioloop=IOLoop())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            self._server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        self._server.close_all()

    def stop(self):
        self._stop.set()
        self._thread.join(5)

    def files(self):
        return sorted(path.name for path in self.iso_dir.iterdir())


@pytest.fixture
def ftpd(tmp_path):
    server = LoopbackFtp(tmp_path / "ftp-root")
    yield server
    server.stop()


@pytest.fixture
def read_only_ftpd(tmp_path):
    server = LoopbackFtp(tmp_path / "ftp-root", perm="elr")
    yield server
    server.stop()


@pytest.fixture
def ftp_server(cloud, ftpd):
    """An FtpServer row pointing at `ftpd`'s ISO directory."""
    return FtpServerFactory(
        cloud=cloud, host="127.0.0.1", port=ftpd.port, username=FTP_USER,
        password=FTP_PASSWORD, base_dir="/isos",
    )  # fmt: skip


# ---- SSH -----------------------------------------------------------------------------

SSHD_CONFIG = """\
ListenAddress 127.0.0.1
Port {port}
HostKey {dir}/host_ed25519
PidFile {dir}/sshd.pid
AuthorizedKeysFile {dir}/authorized_keys
PasswordAuthentication no
PubkeyAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
AllowUsers {user}
"""


@dataclass
class LoopbackSsh:
    port: int
    user: str
    host_key: str  # "ssh-ed25519 AAAA..."
    client_key: str  # the private key, OpenSSH format


def _sshd_available():
    return os.path.exists("/usr/sbin/sshd") and shutil.which("ssh-keygen") and os.geteuid() == 0


def _wait_for_port(port, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


@pytest.fixture(scope="session")
def sshd(tmp_path_factory):
    """OpenSSH on a free port; logs in as root with a generated key (skipped if sshd is
    not installed: scripts/ensure-services installs openssh-server)."""
    if not _sshd_available():
        pytest.skip("openssh-server is not installed or the tests do not run as root")
    directory = tmp_path_factory.mktemp("sshd")
    keygen = ["ssh-keygen", "-q", "-t", "ed25519", "-N", ""]
    subprocess.run([*keygen, "-f", str(directory / "host_ed25519")], check=True)
    subprocess.run([*keygen, "-f", str(directory / "client_ed25519")], check=True)
    shutil.copy(directory / "client_ed25519.pub", directory / "authorized_keys")
    os.makedirs("/run/sshd", exist_ok=True)
    port = free_port()
    config = directory / "sshd_config"
    config.write_text(SSHD_CONFIG.format(port=port, dir=directory, user="root"))
    process = subprocess.Popen(
        ["/usr/sbin/sshd", "-D", "-e", "-f", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not _wait_for_port(port):
            pytest.fail("sshd did not start")
        host_key = " ".join((directory / "host_ed25519.pub").read_text().split()[:2])
        yield LoopbackSsh(port, "root", host_key, (directory / "client_ed25519").read_text())
    finally:
        process.terminate()
        process.wait(5)


@pytest.fixture
def ssh_ftp_server(ftp_server, ftpd, sshd):
    """`ftp_server` with SSH access to the same directory (as the storage host sees it)."""
    ftp_server.ssh_host, ftp_server.ssh_port = "127.0.0.1", sshd.port
    ftp_server.ssh_username, ftp_server.ssh_private_key = sshd.user, sshd.client_key
    ftp_server.ssh_host_key, ftp_server.ssh_base_dir = sshd.host_key, str(ftpd.iso_dir)
    ftp_server.save()
    return ftp_server
