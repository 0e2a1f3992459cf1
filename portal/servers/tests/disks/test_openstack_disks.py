"""A cloud disk's whole life against the local OpenStack (scripts/openstack-lite): made
by a tenant in the real Cinder, attached to a server booted in the real Nova, extended
while attached, detached, renamed and deleted, each step checked with openstacksdk as
the admin; and the real Cinder refusing an extend. The services run the jobs eagerly.

    pytest -m openstack portal/servers/tests/disks/test_openstack_disks.py

Everything made is named `<RUN>-...` and removed at the end, whatever happens.
"""

import uuid

import openstack.exceptions
import pytest

from portal.clouds.base import ServerSpec
from portal.clouds.drivers import get_driver
from portal.clouds.openstack.waiting import wait_for_server, wait_for_volume
from portal.clouds.tests.openstack.fixtures import RUN, delete_server, delete_volume
from portal.core.models import Task
from portal.servers.disks import services
from portal.servers.disks.models import Volume
from portal.servers.disks.workflows.mirror import sync_volumes
from portal.servers.tests.factories import ServerFactory
from portal.tenants import quotas
from portal.tenants.tests.factories import TenantFactory, record_identity

pytestmark = [
    pytest.mark.openstack,
    pytest.mark.django_db,
    pytest.mark.usefixtures("run_commit_hooks"),
]


@pytest.fixture
def tenant_setup(openstack_cloud, make_openstack_tenant):
    """A portal tenant whose identity is a tenant signed up in the real Keystone."""
    credentials = make_openstack_tenant(f"disk-{uuid.uuid4().hex[:6]}")  # one per test
    tenant = TenantFactory()
    record_identity(tenant, openstack_cloud, credentials)
    return tenant, credentials, get_driver(openstack_cloud, credentials)


@pytest.fixture
def server(openstack_cloud, tenant_setup, openstack_image, openstack_flavors, openstack_cleanup):
    """A server the tenant booted on a network of its own, known to the portal."""
    tenant, _, driver = tenant_setup
    network = driver.network.create_network(f"{RUN}-disk-net")
    openstack_cleanup.add(driver.network.delete_network, network.id)
    driver.network.create_subnet(network.id, "10.96.0.0/24", name=f"{RUN}-disk-subnet")
    spec = ServerSpec(
        name=f"{RUN}-disk-vm",
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


def succeeded(task):
    task.refresh_from_db()
    assert task.state == Task.State.SUCCEEDED, task.message
    return task


def new_disk(tenant, cloud, sdk, cleanup, size=1, **options):
    volume, task = services.create_disk(
        tenant, cloud, name=f"{RUN}-disk", size=size, actor="test", **options
    )
    volume.refresh_from_db()
    if volume.backend_id:
        cleanup.add(_delete_quietly, sdk, volume.backend_id)
    return volume, task


def test_a_disks_whole_life(
    openstack_cloud, tenant_setup, server, openstack_admin_sdk, openstack_cleanup
):
    tenant, _, _ = tenant_setup
    sdk = openstack_admin_sdk.block_storage

    # Created, with an unknown type meaning the cloud's default.
    volume, task = new_disk(
        tenant, openstack_cloud, openstack_admin_sdk, openstack_cleanup,
        volume_type=f"{RUN}-no-such-type", description="made by the portal",
    )  # fmt: skip
    succeeded(task)
    volume.refresh_from_db()
    real = sdk.get_volume(volume.backend_id)
    assert (real.status, real.size, real.name) == ("available", 1, f"{RUN}-disk")
    assert real.volume_type == volume.volume_type != f"{RUN}-no-such-type"
    assert real.project_id == tenant.identities.get().project_id
    assert quotas.usage_of(tenant)["gigabytes"] == 1

    # Attached through Nova: the device is reported back.
    volume, task = services.attach_disk(volume, server, actor="test")
    succeeded(task)
    volume.refresh_from_db()
    real = sdk.get_volume(volume.backend_id)
    assert real.status == "in-use"
    assert [a["server_id"] for a in real.attachments] == [server.backend_id]
    assert volume.device == real.attachments[0]["device"]
    assert (volume.server, volume.attached_at is not None) == (server, True)

    # Extended while attached (Cinder 3.42+).
    volume, task = services.extend_disk(volume, 2, actor="test")
    succeeded(task)
    volume.refresh_from_db()
    real = sdk.get_volume(volume.backend_id)
    assert (real.size, real.status, volume.size) == (2, "in-use", 2)
    assert quotas.usage_of(tenant)["gigabytes"] == 2

    # Detached.
    volume, task = services.detach_disk(volume, server, actor="test")
    succeeded(task)
    volume.refresh_from_db()
    real = sdk.get_volume(volume.backend_id)
    assert (real.status, real.attachments) == ("available", [])
    assert (volume.server, volume.device) == (None, "")

    # Renamed.
    volume, task = services.update_disk(
        volume, name=f"{RUN}-renamed", description="renamed", actor="test"
    )
    succeeded(task)
    real = sdk.get_volume(volume.backend_id)
    assert (real.name, real.description) == (f"{RUN}-renamed", "renamed")

    # Deleted: gone from Cinder, the quota given back.
    volume, task = services.delete_disk(volume, actor="test")
    succeeded(task)
    with pytest.raises(openstack.exceptions.NotFoundException):
        sdk.get_volume(volume.backend_id)
    volume.refresh_from_db()
    assert volume.status == Volume.DELETED
    assert quotas.usage_of(tenant)["gigabytes"] == 0


def test_cinder_refusing_an_extend_fails_the_task_and_keeps_the_size(
    openstack_cloud, tenant_setup, openstack_admin_sdk, openstack_cleanup
):
    tenant, credentials, _ = tenant_setup
    sdk = openstack_admin_sdk.block_storage
    volume, task = new_disk(tenant, openstack_cloud, openstack_admin_sdk, openstack_cleanup)
    succeeded(task)
    volume.refresh_from_db()
    # The project's own Cinder quota: 1 GB, all in use. Cinder refuses to grow past it.
    sdk.update_quota_set(credentials.project_id, gigabytes=1)
    openstack_cleanup.add(sdk.revert_quota_set, credentials.project_id)

    volume, task = services.extend_disk(volume, 3, actor="test")

    task.refresh_from_db()
    assert task.state == Task.State.FAILED
    assert "1 GB" in task.message
    volume.refresh_from_db()
    assert (volume.size, volume.status, volume.locked) == (1, "available", False)
    assert sdk.get_volume(volume.backend_id).size == 1
    assert quotas.usage_of(tenant)["gigabytes"] == 1


def _delete_quietly(sdk, volume_id):
    """Cleanup after a failed assertion: detach (as the admin) and delete if still there."""
    volumes = sdk.block_storage
    try:
        real = volumes.get_volume(volume_id)
    except openstack.exceptions.NotFoundException:
        return
    for attachment in real.attachments:
        sdk.compute.delete_volume_attachment(attachment["server_id"], volume_id)
    volumes.wait_for_status(real, "available", failures=["error"], wait=120)
    volumes.delete_volume(volume_id, ignore_missing=True)


def test_the_state_sync_finds_a_disk_made_outside_the_portal(
    openstack_cloud, openstack_admin, tenant_setup, openstack_cleanup
):
    tenant, _, driver = tenant_setup
    made = driver.volumes.create_volume(f"{RUN}-by-hand", 1, description="cli")
    openstack_cleanup.add(delete_volume, driver, made.id)
    wait_for_volume(driver, made.id, {"available"})

    sync_volumes(openstack_cloud, openstack_admin)

    found = Volume.objects.get(cloud=openstack_cloud, backend_id=made.id)
    assert (found.tenant, found.origin, found.status) == (tenant, "discovered", "available")
    assert (found.name, found.description, found.size) == (f"{RUN}-by-hand", "cli", 1)
    assert quotas.usage_of(tenant)["volumes"] == 1
