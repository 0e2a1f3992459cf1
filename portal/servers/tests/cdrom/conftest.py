"""Fixtures of the CD drive tests: the ISO tests' loopback FTP server holding an ISO, and
a running server in the simulator."""

import pytest

from portal.clouds.drivers import get_driver
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.testing import boot_spec
from portal.isos.tests import conftest as isos
from portal.isos.tests.factories import IsoFactory
from portal.servers.tests.factories import ServerFactory, make_identity
from portal.tenants.credentials import tenant_credentials

# The ISO tests' fixtures: a loopback FTP server and its FtpServer row.
ftpd, ftp_server = isos.ftpd, isos.ftp_server


def iso_bytes(size=96 * 1024):
    """A file with the ISO 9660 identifier where it belongs (byte 32769)."""
    data = bytearray(size)
    data[32769:32774] = b"CD001"
    return bytes(data)


@pytest.fixture
def iso(ftp_server, ftpd):
    data = iso_bytes()
    (ftpd.iso_dir / "rescue.iso").write_bytes(data)
    return IsoFactory(
        ftp_server=ftp_server, cloud=ftp_server.cloud, file_name="rescue.iso", size=len(data)
    )


@pytest.fixture
def server(tenant, cloud):
    """A running server of `tenant` in the simulator, known to the portal."""
    identity = make_identity(tenant, cloud)
    driver = get_driver(cloud, tenant_credentials(identity))
    info = driver.compute.create_server(boot_spec(cloud))
    info = driver.compute.get_server(info.id)
    assert info.status == "ACTIVE"
    return ServerFactory(cloud=cloud, tenant=tenant, backend_id=info.id, runtime_state="ACTIVE")


def cloud_volumes(cloud):
    """The CD volumes (not the servers' boot volumes)."""
    return SimulatedObject.objects.filter(
        cloud=cloud, kind=SimulatedObject.Kind.VOLUME, name__startswith="cdrom-"
    )
