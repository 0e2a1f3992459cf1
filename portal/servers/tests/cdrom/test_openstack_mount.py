"""Mounting an ISO against the local OpenStack (scripts/openstack-lite): a small real
ISO 9660 file is uploaded to the loopback FTP server, mounted on a server booted in the
real Nova by a tenant (registered once in the real Glance, copied into a Cinder volume,
attached), then unmounted. The services run the Celery jobs eagerly.

    pytest -m openstack portal/servers/tests/cdrom/test_openstack_mount.py

Everything made is named `<RUN>-...` and removed at the end, whatever happens.
"""

import io
import struct

import pytest

from portal.clouds.base import ServerSpec
from portal.clouds.drivers import get_driver
from portal.clouds.errors import CloudNotFound
from portal.clouds.openstack.waiting import wait_for_server
from portal.clouds.tests.openstack.fixtures import RUN, delete_server, delete_volume
from portal.core.models import Task
from portal.isos.ftp import upload_file
from portal.isos.models import Iso
from portal.isos.services import servers_mounting
from portal.isos.tests.conftest import FTP_PASSWORD, FTP_USER
from portal.isos.tests.factories import FtpServerFactory
from portal.servers.cdrom import services
from portal.servers.cdrom.models import IsoMount
from portal.servers.tests.factories import ServerFactory
from portal.tenants.tests.factories import TenantFactory, record_identity

pytestmark = [
    pytest.mark.openstack,
    pytest.mark.django_db,
    pytest.mark.usefixtures("run_commit_hooks"),
]

SECTOR = 2048


def iso9660_image(volume_id=b"PORTAL_TEST", sectors=64) -> bytes:
    """A small, well-formed ISO 9660 image: system area, a primary volume descriptor at
    sector 16 ("CD001" at byte 32769), the set terminator at sector 17, and a root
    directory record, so `blkid`/`mount` in a guest would recognise it."""
    image = bytearray(SECTOR * sectors)
    root_sector = 18

    def both(fmt_le, value):  # ISO 9660 stores many numbers little- then big-endian
        return struct.pack("<" + fmt_le, value) + struct.pack(">" + fmt_le, value)

    root = bytearray(34)
    root[0] = 34
    root[2:10] = both("I", root_sector)
    root[10:18] = both("I", SECTOR)
    root[25] = 0x02  # a directory
    root[28:32] = both("H", 1)
    root[32] = 1  # name length: the root's name is one zero byte

    pvd = bytearray(SECTOR)
    pvd[0], pvd[1:6], pvd[6] = 1, b"CD001", 1
    pvd[8:40] = b" " * 32
    pvd[40:72] = volume_id.ljust(32)
    pvd[80:88] = both("I", sectors)
    pvd[120:124] = both("H", 1)
    pvd[124:128] = both("H", 1)
    pvd[128:132] = both("H", SECTOR)
    pvd[156:190] = root
    pvd[881] = 1
    image[16 * SECTOR : 17 * SECTOR] = pvd
    terminator = bytearray(SECTOR)
    terminator[0], terminator[1:6], terminator[6] = 255, b"CD001", 1
    image[17 * SECTOR : 18 * SECTOR] = terminator
    image[root_sector * SECTOR : root_sector * SECTOR + 34] = root  # "."
    return bytes(image)


@pytest.fixture
def tenant_setup(openstack_cloud, make_openstack_tenant):
    """A portal tenant whose identity is a tenant signed up in the real Keystone."""
    credentials = make_openstack_tenant("iso")
    tenant = TenantFactory()
    record_identity(tenant, openstack_cloud, credentials)
    return tenant, get_driver(openstack_cloud, credentials)


@pytest.fixture
def server(openstack_cloud, tenant_setup, openstack_image, openstack_flavors, openstack_cleanup):
    """A server the tenant booted on a network of its own, known to the portal."""
    tenant, driver = tenant_setup
    network = driver.network.create_network(f"{RUN}-iso-net")
    openstack_cleanup.add(driver.network.delete_network, network.id)
    driver.network.create_subnet(network.id, "10.97.0.0/24", name=f"{RUN}-iso-subnet")
    spec = ServerSpec(
        name=f"{RUN}-iso-vm",
        flavor_id=openstack_flavors["small"].id,
        image_id=openstack_image.id,
        boot_volume_size=1,
        network_ids=[network.id],
    )
    created = driver.compute.create_server(spec)
    openstack_cleanup.add(delete_server, driver, created.id)
    info = wait_for_server(driver, created.id, {"ACTIVE"})
    return ServerFactory(
        cloud=openstack_cloud, tenant=tenant, backend_id=info.id, runtime_state="ACTIVE"
    )


@pytest.fixture
def iso(openstack_cloud, ftpd, openstack_admin, openstack_cleanup):
    """The generated ISO, uploaded to the loopback FTP server; its Glance registration
    (made by the first mount) is removed at the end."""
    ftp_server = FtpServerFactory(
        cloud=openstack_cloud, host="127.0.0.1", port=ftpd.port, username=FTP_USER,
        password=FTP_PASSWORD, base_dir="/isos",
    )  # fmt: skip
    data = iso9660_image()
    upload_file(ftp_server, io.BytesIO(data), len(data), f"{RUN}.iso", lambda sent: None)
    iso = Iso.objects.create(
        cloud=openstack_cloud, ftp_server=ftp_server, file_name=f"{RUN}.iso",
        backend_id=Iso.remote_key(ftp_server, f"{RUN}.iso"), iso_name=f"{RUN} test ISO",
        size=len(data), status=Iso.Status.AVAILABLE,
    )  # fmt: skip

    def forget_registration():
        image_id = Iso.objects.filter(pk=iso.pk).values_list("glance_image_id", flat=True)
        for found in image_id:
            if found:
                openstack_admin.images.delete_image(found)

    openstack_cleanup.add(forget_registration)
    return iso


def test_mount_and_unmount_on_a_real_server(
    server, iso, tenant_setup, openstack_admin, openstack_cleanup, ftpd
):
    _, driver = tenant_setup
    mount, task = services.mount_iso(server, iso, actor="test")
    task.refresh_from_db()
    mount.refresh_from_db()
    if mount.volume_id:
        openstack_cleanup.add(_remove_quietly, driver, server.backend_id, mount.volume_id)
    assert task.state == Task.State.SUCCEEDED, task.message
    assert mount.status == IsoMount.Status.ATTACHED
    assert ftpd.files() == [f"{RUN}.iso"]

    # Registered once, hidden from image lists, usable by the tenant by id.
    iso.refresh_from_db()
    image = openstack_admin.images.get_image(iso.glance_image_id)
    assert (image.disk_format, image.visibility, image.status) == ("iso", "community", "active")
    assert image.size == iso.size
    assert iso.glance_image_id not in {info.id for info in driver.images.iter_images()}

    # The tenant's volume holds the ISO and is attached to the server.
    volume = driver.volumes.get_volume(mount.volume_id)
    assert volume.status == "in-use"
    assert [item.server_id for item in volume.attachments] == [server.backend_id]
    assert mount.device == (volume.attachments[0].device or mount.device)
    assert server.instance_id in servers_mounting(iso)
    server.refresh_from_db()
    assert not server.locked

    mount, task = services.unmount_iso(server, actor="test")
    task.refresh_from_db()
    assert task.state == Task.State.SUCCEEDED, task.message
    assert not IsoMount.objects.exists()
    assert _gone_or_deleting(driver, mount.volume_id)
    server.refresh_from_db()
    assert not server.locked


def _gone_or_deleting(driver, volume_id):
    try:
        return driver.volumes.get_volume(volume_id).status == "deleting"
    except CloudNotFound:
        return True


def _remove_quietly(driver, server_id, volume_id):
    """Cleanup after a failed assertion: detach and delete the CD volume if still there."""
    try:
        driver.volumes.detach_volume(server_id, volume_id)
        delete_volume(driver, volume_id)
    except CloudNotFound:
        pass
