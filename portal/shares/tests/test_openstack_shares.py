"""NAS shares against the local OpenStack's Manila (scripts/openstack-lite: dummy backend
with share servers on Neutron ports): the portal's API and jobs (run eagerly) with the real
driver, for a tenant signed up in the real Keystone.

    pytest -m openstack portal/shares/tests/test_openstack_shares.py

A share's life: made on a network of the tenant's own (its VPC, made with the tenant's
driver), a server of the tenant granted access and listed as a mount client, extended and
shrunk, the rule denied, then the share and the share network the portal made deleted,
and checked gone with openstacksdk. Everything is named `<RUN>-...` and removed at the end,
whatever happens.
"""

import time
import uuid

import pytest
from openstack import exceptions as sdk_exc

from conftest import tenant_client
from portal.clouds.drivers import get_driver
from portal.clouds.errors import CloudConflict, CloudNotFound
from portal.clouds.openstack.clouds_yaml import import_cloud
from portal.clouds.openstack.waiting import wait_for_server_gone
from portal.clouds.tests.openstack.fixtures import (
    CLOUD_NAME,
    CLOUDS_YAML,
    create_boot_image,
    create_flavors,
)
from portal.core.models import Task
from portal.images.workflows import sync_images
from portal.network.workflows import sync_network
from portal.servers.models import Server
from portal.servers.workflows.flavors import sync_flavors
from portal.shares.models import Share
from portal.tenants import quotas
from portal.tenants.credentials import tenant_credentials
from portal.tenants.models import TenantIdentity
from portal.tenants.signup import register_tenant

pytestmark = [
    pytest.mark.openstack,
    pytest.mark.django_db,
    pytest.mark.usefixtures("run_commit_hooks"),
]

RUN = f"nas{uuid.uuid4().hex[:6]}"


@pytest.fixture
def cleanup(openstack_cleanup):
    return openstack_cleanup


@pytest.fixture
def oslite(db):
    if not CLOUDS_YAML.is_file():
        pytest.fail(f"no clouds.yaml at {CLOUDS_YAML}: start scripts/openstack-lite/up")
    cloud = import_cloud(CLOUDS_YAML, CLOUD_NAME, region=f"{RUN}-region", make_default=True).cloud
    cloud.options = {**cloud.options, "wait_seconds": 180}
    cloud.save(update_fields=["options"])
    return cloud


@pytest.fixture
def admin(oslite):
    return get_driver(oslite)


@pytest.fixture
def tenant(oslite, admin, cleanup):
    tenant, _key, task = register_tenant(f"{RUN}-tenant", actor="test")
    task.refresh_from_db()
    assert task.state == Task.State.SUCCEEDED, task.message
    identity = TenantIdentity.objects.get(tenant=tenant)
    keystone = admin.identity
    cleanup.add(keystone.delete_domain, identity.domain_id)
    cleanup.add(keystone.delete_project, identity.project_id)
    cleanup.add(keystone.delete_user, identity.user_id)
    cleanup.add(keystone.delete_role, identity.role_id)
    return tenant


@pytest.fixture
def vpc(oslite, admin, tenant, cleanup):
    """A network and subnet of the tenant's own project, made with its own driver, and
    the catalog a server needs; pulled into the portal's mirrors."""
    identity = TenantIdentity.objects.get(tenant=tenant)
    own = get_driver(oslite, tenant_credentials(identity))
    network = own.network.create_network(f"{RUN}-vpc")
    cleanup.add(_delete_network, admin, network.id)
    subnet = own.network.create_subnet(network.id, "10.97.0.0/24", name=f"{RUN}-vpc-subnet")
    flavors = create_flavors(admin.compute, cleanup, RUN)
    image = create_boot_image(admin.images, cleanup, RUN)
    sync_flavors(oslite, admin)
    sync_images(oslite, admin)
    sync_network(oslite, admin)
    return {
        "network_id": network.id,
        "subnet_id": subnet.id,
        "flavor": flavors["small"],
        "image": image,
    }


def _delete_network(admin, network_id):
    """Neutron refuses while Manila still releases its share server's ports: retry."""
    deadline = time.monotonic() + 60
    while True:
        try:
            admin.network.delete_network(network_id)
            return
        except CloudConflict:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _delete_share(admin, share_id):
    _wait_settled(admin, share_id)  # Manila refuses to delete a share still creating
    admin.shares.delete_share(share_id)
    _wait_not_found(lambda: admin.shares.get_share(share_id))


def _wait_settled(admin, share_id):
    deadline = time.monotonic() + 60
    while admin.shares.get_share(share_id).status == "creating":
        assert time.monotonic() < deadline, "the share is still creating after 60 s"
        time.sleep(1)


def _delete_share_network(admin, share_network_id):
    admin.shares.delete_share_network(share_network_id)
    _wait_not_found(lambda: admin.shares.get_share_network(share_network_id))


def _wait_not_found(read):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            read()
        except CloudNotFound:
            return
        time.sleep(1)
    raise AssertionError("still there after 60 s")


def _delete_server(admin, server_id):
    admin.compute.delete_server(server_id)
    wait_for_server_gone(admin, server_id)


def call(api, method, url, body=None, expect=202):
    answer = getattr(api, method)(f"/api/v1{url}", body or {}, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def succeeded(answer):
    task = Task.objects.get(pk=answer["task"]["task_id"])
    assert task.state == Task.State.SUCCEEDED, (task.kind, task.error_code, task.message)
    return task


def gone(read) -> bool:
    try:
        read()
    except sdk_exc.NotFoundException:
        return True
    return False


def test_a_shares_life_on_a_vpc_network(oslite, admin, tenant, vpc, cleanup):
    api = tenant_client(tenant)
    sdk = admin.handle.connection()
    answer = call(api, "post", "/instances", {
        "instance_name": f"{RUN}-client",
        "flavor_ref": vpc["flavor"].id,
        "image_ref": vpc["image"].id,
        "network_uuid": vpc["network_id"],
        "system_disk": {"size_in_g": 1},
    })  # fmt: skip
    server = Server.objects.get(instance_id=answer["instance_id"])
    cleanup.add(_delete_server, admin, server.backend_id)
    succeeded(answer)

    answer = call(api, "post", "/nas-disks", {
        "share_name": f"{RUN}-nas", "share_desc": "integration", "share_proto": "NFS",
        "share_size_in_g": 1, "network_id": vpc["network_id"],
    })  # fmt: skip
    share = Share.objects.get(share_id=answer["share_id"])
    if answer["share_network_id"]:  # removed after the share (last in, first out)
        cleanup.add(_delete_share_network, admin, answer["share_network_id"])
    if share.backend_id:
        cleanup.add(_delete_share, admin, share.backend_id)
    succeeded(answer)
    cloud_share = sdk.shared_file_system.get_share(answer["cloud_share_id"])
    assert cloud_share.status == "available"
    assert answer["share_status"] == "available"
    assert answer["share_progress"] == "100%"
    assert answer["share_network_id"] == cloud_share.share_network_id
    assert answer["share_server_id"] == cloud_share.share_server_id
    assert answer["share_server_host"] == "oslite@dummy"
    assert answer["export_locations"]
    network = admin.shares.get_share_network(answer["share_network_id"])
    assert (network.neutron_net_id, network.neutron_subnet_id) == (
        vpc["network_id"], vpc["subnet_id"]
    )  # fmt: skip
    # The share server's ports are in the tenant's subnet; the export paths use them.
    ports = list(sdk.network.ports(network_id=vpc["network_id"], device_owner="manila:share"))
    addresses = {ip["ip_address"] for port in ports for ip in port.fixed_ips}
    assert {path.split(":")[0] for path in answer["export_locations"]} <= addresses
    held = quotas.usage_of(tenant)
    assert (held["shares"], held["share_gigabytes"]) == (1, 1)

    url = f"/nas-disks/{share.share_id}"
    answer = call(api, "post", f"{url}/grant-server", {"instance_id": server.instance_id})
    succeeded(answer)
    server.refresh_from_db()
    address = server.addresses[f"{RUN}-vpc"][0]
    rules = list(sdk.shared_file_system.access_rules(share.backend_id))
    assert [(r.access_to, r.access_level, r.state) for r in rules] == [(address, "rw", "active")]
    clients = call(api, "get", f"{url}/mount-clients", expect=200)
    assert clients == {"instance_id": [server.instance_id]}

    succeeded(call(api, "post", f"{url}/resize", {"share_size_in_g": 2}))
    assert sdk.shared_file_system.get_share(share.backend_id).size == 2
    succeeded(call(api, "post", f"{url}/resize", {"share_size_in_g": 1}))
    assert sdk.shared_file_system.get_share(share.backend_id).size == 1

    answer = call(api, "delete", f"{url}/access-rules/{rules[0].id}")
    succeeded(answer)
    assert answer["access_rules"] == []
    assert list(sdk.shared_file_system.access_rules(share.backend_id)) == []
    assert call(api, "get", f"{url}/mount-clients", expect=200) == {"instance_id": []}

    answer = call(api, "delete", url)
    succeeded(answer)
    assert answer["deleted_time"]
    assert gone(lambda: sdk.shared_file_system.get_share(share.backend_id))
    assert gone(lambda: sdk.shared_file_system.get_share_network(network.id))
    held = quotas.usage_of(tenant)
    assert (held["shares"], held["share_gigabytes"]) == (0, 0)


def test_a_share_still_creating_at_its_deadline_fails_and_gives_the_quota_back(
    oslite, admin, tenant, vpc, cleanup
):
    """Manila takes some seconds to make a share server and a share; a cloud that waits
    one second gives up: the Task fails, the quota comes back, and the share Manila would
    not delete while creating is named on the row, whose deletion removes it later."""
    oslite.options = {**oslite.options, "wait_seconds": 1}
    oslite.save(update_fields=["options"])
    api = tenant_client(tenant)
    answer = call(api, "post", "/nas-disks", {
        "share_name": f"{RUN}-slow", "share_proto": "CIFS", "share_size_in_g": 1,
        "network_id": vpc["network_id"],
    })  # fmt: skip
    share = Share.objects.get(share_id=answer["share_id"])
    share_network_id = answer["share_network_id"]
    if share_network_id:
        cleanup.add(_delete_share_network, admin, share_network_id)
    if share.backend_id:
        cleanup.add(_delete_share, admin, share.backend_id)
    task = Task.objects.get(pk=answer["task"]["task_id"])
    assert (task.state, task.error_code) == (Task.State.FAILED, "operation_failed")
    assert answer["portal_state"] == "failed"
    assert "remains in the cloud" in answer["status_message"]
    held = quotas.usage_of(tenant)
    assert (held["shares"], held["share_gigabytes"]) == (0, 0)

    _wait_settled(admin, share.backend_id)
    oslite.options = {**oslite.options, "wait_seconds": 180}
    oslite.save(update_fields=["options"])
    answer = call(api, "delete", f"/nas-disks/{share.share_id}")
    succeeded(answer)
    sdk = admin.handle.connection()
    assert gone(lambda: sdk.shared_file_system.get_share(share.backend_id))
    assert gone(lambda: sdk.shared_file_system.get_share_network(share_network_id))
