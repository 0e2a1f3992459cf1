"""Servers against the local OpenStack (scripts/openstack-lite): the portal's API, services
and Celery jobs (run eagerly) with the real driver, for a tenant signed up in the real
Keystone (with the `member` role Nova, Cinder and Neutron require).

    pytest -m openstack portal/servers/tests/test_openstack_servers.py

What a server's life must do in a real cloud: a server with a system disk and two data
disks, powered off and on, resized up (confirmed), resized down, deleted, with the quota
usage right and a Task at every step; and a server deleted behind the portal's back,
which the next state sync marks. Everything is named `<RUN>-...` and removed at the end,
whatever happens.
"""

import os
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import tenant_client
from portal.clouds.drivers import get_driver
from portal.clouds.errors import CloudNotFound
from portal.clouds.openstack.clouds_yaml import import_cloud
from portal.clouds.openstack.waiting import wait_for_server, wait_for_server_gone, wait_for_volume
from portal.clouds.tests.openstack.fixtures import create_boot_image, create_flavors
from portal.core.models import Task
from portal.images.workflows import sync_images
from portal.network.workflows import sync_network
from portal.servers import flavors, locking
from portal.servers.disks.models import Volume
from portal.servers.models import Flavor, Server
from portal.servers.tests.factories import ServerFactory
from portal.servers.workflows import state_sync
from portal.servers.workflows.create import _spec
from portal.servers.workflows.flavors import sync_flavors
from portal.tenants import quotas
from portal.tenants.credentials import tenant_credentials
from portal.tenants.models import TenantIdentity
from portal.tenants.signup import register_tenant

pytestmark = [
    pytest.mark.openstack,
    pytest.mark.django_db,
    pytest.mark.usefixtures("run_commit_hooks"),
]

CLOUDS_YAML = Path(
    os.environ.get("OSLITE_CLOUDS_YAML", "~/.cache/portal-oslite/clouds.yaml")
).expanduser()
CLOUD_NAME = os.environ.get("OSLITE_CLOUD", "oslite-admin")
RUN = f"srv{uuid.uuid4().hex[:6]}"


@pytest.fixture
def cleanup(openstack_cleanup):
    return openstack_cleanup


@pytest.fixture
def oslite(db):
    if not CLOUDS_YAML.is_file():
        pytest.fail(f"no clouds.yaml at {CLOUDS_YAML}: start scripts/openstack-lite/up")
    cloud = import_cloud(CLOUDS_YAML, CLOUD_NAME, region=f"{RUN}-region", make_default=True).cloud
    cloud.options = {**cloud.options, "wait_seconds": 300}
    cloud.save(update_fields=["options"])
    return cloud


@pytest.fixture
def admin(oslite):
    return get_driver(oslite)


@pytest.fixture
def catalog(oslite, admin, cleanup):
    """Three flavors, a small public image and a shared network, made in the cloud and
    pulled into the portal (with the zones and hosts) as an operator's sync would."""
    flavors = create_flavors(admin.compute, cleanup, RUN)
    image = create_boot_image(admin.images, cleanup, RUN)
    network = admin.network.create_network(f"{RUN}-net", shared=True)
    cleanup.add(admin.network.delete_network, network.id)
    admin.network.create_subnet(network.id, "10.98.0.0/24", name=f"{RUN}-subnet")
    sync_flavors(oslite, admin)
    sync_images(oslite, admin)
    sync_network(oslite, admin)  # create_server checks the network against the mirror
    return {"flavors": flavors, "image_id": image.id, "network_id": network.id}


@pytest.fixture
def tenant(oslite, admin, cleanup):
    """A tenant signed up through the portal: its domain, project, user and roles are
    made in the real Keystone by the provisioning job."""
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
def api(tenant):
    return tenant_client(tenant)


def call(api, method, url, body=None):
    answer = getattr(api, method)(f"/api/v1{url}", body or {}, format="json")
    assert answer.status_code == 202, answer.content
    return answer.json()


def succeeded(answer):
    task = Task.objects.get(pk=answer["task"]["task_id"])
    assert task.state == Task.State.SUCCEEDED, (task.kind, task.error_code, task.message)
    return task


def usage(tenant):
    held = quotas.usage_of(tenant)
    return {name: held[name] for name in ("instances", "cores", "ram", "volumes", "gigabytes")}


def create_server(api, catalog, admin, cleanup, name, data_disks=(), key_name=""):
    answer = call(api, "post", "/instances", {
        "key_name": key_name,
        "instance_name": f"{RUN}-{name}",
        "flavor_ref": catalog["flavors"]["small"].id,
        "image_ref": catalog["image_id"],
        "network_uuid": catalog["network_id"],
        "system_disk": {"size_in_g": 1},
        "data_disks": [{"size_in_g": 1} for _ in data_disks],
    })  # fmt: skip
    server = Server.objects.get(instance_id=answer["instance_id"])
    if server.backend_id:
        cleanup.add(_delete_server, admin, server.backend_id)
    for volume in server.data_volumes.all():
        cleanup.add(_delete_volume, admin, volume.backend_id)
    return answer, server


def _delete_server(admin, server_id):
    admin.compute.delete_server(server_id)
    wait_for_server_gone(admin, server_id)


def _delete_volume(admin, volume_id):
    wait_for_volume(admin, volume_id, {"available", "error"}, timeout=120)
    admin.volumes.delete_volume(volume_id)


def test_a_servers_life_through_the_api(oslite, admin, catalog, tenant, api, cleanup):
    flavors = catalog["flavors"]
    answer, server = create_server(api, catalog, admin, cleanup, "life", data_disks=(1, 2))
    tasks = [succeeded(answer)]
    info = admin.compute.get_server(server.backend_id)
    assert info.status == "ACTIVE"
    assert len(info.volume_ids) == 3  # the boot volume and two data disks
    small = {"instances": 1, "cores": 1, "ram": 128, "volumes": 3, "gigabytes": 3}
    assert usage(tenant) == small
    url = f"/instances/{server.instance_id}"

    tasks.append(succeeded(call(api, "post", f"{url}/operate", {"operate_type": "stop"})))
    assert admin.compute.get_server(server.backend_id).status == "SHUTOFF"
    tasks.append(succeeded(call(api, "post", f"{url}/operate", {"operate_type": "start"})))
    assert admin.compute.get_server(server.backend_id).status == "ACTIVE"
    assert usage(tenant) == small

    tasks.append(succeeded(call(api, "post", f"{url}/flavor", {"flavor_ref": flavors["large"].id})))
    info = admin.compute.get_server(server.backend_id)
    assert (info.flavor_id, info.status) == (flavors["large"].id, "ACTIVE")  # confirmed, running
    assert usage(tenant) == {**small, "cores": 2, "ram": 256}

    tasks.append(
        succeeded(call(api, "post", f"{url}/flavor", {"flavor_ref": flavors["medium"].id}))
    )
    info = admin.compute.get_server(server.backend_id)
    assert (info.flavor_id, info.status) == (flavors["medium"].id, "ACTIVE")
    assert usage(tenant) == {**small, "cores": 1, "ram": 192}

    listed = api.get(f"/api/v1{url}/tasks").json()
    assert [task["task_id"] for task in listed["tasks"]] == [str(t.pk) for t in reversed(tasks)]

    answer = api.delete(f"/api/v1{url}")
    assert answer.status_code == 202, answer.content
    tasks.append(succeeded(answer.json()))
    with pytest.raises(CloudNotFound):
        admin.compute.get_server(server.backend_id)
    # The data disks are kept (detached) and still count; the server's share is back.
    assert usage(tenant) == {"instances": 0, "cores": 0, "ram": 0, "volumes": 2, "gigabytes": 2}
    for volume in server.data_volumes.model.objects.filter(tenant=tenant):
        assert admin.volumes.get_volume(volume.backend_id).status == "available"

    kinds = [task.kind for task in tasks]
    assert kinds == ["server.create", "server.operate", "server.operate", "server.resize",
                     "server.resize", "server.delete"]  # fmt: skip
    assert all(task.progress == 100 for task in tasks)


def test_a_server_deleted_behind_the_portals_back_is_marked_by_the_sync(
    oslite, admin, catalog, tenant, api, cleanup
):
    answer, server = create_server(api, catalog, admin, cleanup, "behind")
    succeeded(answer)
    assert state_sync.sync_servers(oslite, admin).missing == 0
    assert usage(tenant)["instances"] == 1

    _delete_server(admin, server.backend_id)
    counts = state_sync.sync_servers(oslite, admin)

    server.refresh_from_db()
    assert counts.missing == 1
    assert server.status == Server.Status.DELETED
    assert usage(tenant) == {"instances": 0, "cores": 0, "ram": 0, "volumes": 0, "gigabytes": 0}


def test_what_a_failed_create_left_is_removed_after_the_sync(
    oslite, admin, catalog, tenant, cleanup
):
    """The worker died mid-create: the server (with the portal's metadata) and an attached
    data disk are in the cloud, the row is failed with no backend id. The sync finds the
    server by its metadata and its cleanup Task removes both."""
    row = ServerFactory(
        cloud=oslite, tenant=tenant, name=f"{RUN}-leftover", backend_id=None,
        status=Server.Status.FAILED, flavor_ref=catalog["flavors"]["small"].id,
        image_ref=catalog["image_id"], network_id=catalog["network_id"], system_disk_size=1,
        create_requested=timezone.now(),
    )  # fmt: skip
    own = get_driver(oslite, tenant_credentials(TenantIdentity.objects.get(tenant=tenant)))
    made = own.compute.create_server(_spec(row))
    cleanup.add(_delete_server, admin, made.id)
    disk = own.volumes.create_volume(f"{RUN}-leftover-data", 1)
    cleanup.add(_delete_volume, admin, disk.id)
    Volume.objects.create(cloud=oslite, tenant=tenant, server=row, backend_id=disk.id, size=1)
    wait_for_server(own, made.id, {"ACTIVE"})
    wait_for_volume(own, disk.id, {"available"})
    own.volumes.attach_volume(made.id, disk.id)
    wait_for_volume(own, disk.id, {"in-use"})

    counts = state_sync.sync_servers(oslite, admin)

    assert (counts.created, counts.cleanups) == (0, 1)
    task = Task.objects.get(kind=locking.CLEANUP_KIND, target_id=row.instance_id)
    assert task.state == Task.State.SUCCEEDED, (task.error_code, task.message)
    with pytest.raises(CloudNotFound):
        admin.compute.get_server(made.id)
    with pytest.raises(CloudNotFound):
        wait_for_volume(admin, disk.id, {"deleted"})  # Cinder deletes in the background
    row.refresh_from_db()
    assert (row.status, row.backend_id, row.locked) == (Server.Status.FAILED, made.id, False)
    assert usage(tenant) == {"instances": 0, "cores": 0, "ram": 0, "volumes": 0, "gigabytes": 0}
    assert state_sync.sync_servers(oslite, admin).cleanups == 0


def test_key_pairs_are_registered_in_nova_and_named_by_servers(
    oslite, admin, catalog, tenant, api, cleanup
):
    answer = call(api, "post", "/keypairs", {"keypair_name": f"{RUN}-key"})
    own = get_driver(oslite, tenant_credentials(TenantIdentity.objects.get(tenant=tenant)))
    cleanup.add(own.compute.delete_keypair, f"{RUN}-key")
    succeeded(answer)
    assert answer["private_key"].startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    answer, server = create_server(api, catalog, admin, cleanup, "keyed", key_name=f"{RUN}-key")
    succeeded(answer)
    assert server.key_name == f"{RUN}-key"
    deleted = api.delete(f"/api/v1/keypairs/{answer_keypair_id(api)}")
    assert deleted.status_code == 202
    succeeded(deleted.json())


def answer_keypair_id(api):
    return api.get("/api/v1/keypairs").json()["keypairs"][0]["keypair_id"]


def test_flavor_sharing_changed_and_the_flavor_deleted_from_the_portal(
    oslite, admin, tenant, cleanup
):
    """The flavor share and delete jobs against the real Nova."""
    request = flavors.FlavorRequest(
        name=f"{RUN}-private", vcpus=1, ram=64, disk=1, extra_specs={}, is_public=False
    )
    created = flavors.create_flavor(oslite, request, actor="test")
    created.refresh_from_db()
    assert created.state == Task.State.SUCCEEDED, created.message
    flavor = Flavor.objects.get(cloud=oslite, name=request.name)
    cleanup.add(admin.compute.delete_flavor, flavor.backend_id)
    project_id = TenantIdentity.objects.get(tenant=tenant).project_id

    shared = flavors.share_flavor(flavor, [tenant], actor="test")
    shared.refresh_from_db()
    assert shared.state == Task.State.SUCCEEDED, shared.message
    assert project_id in admin.compute.list_flavor_access(flavor.backend_id)
    assert list(flavor.shared_with.all()) == [tenant]

    flavors.share_flavor(flavor, [], actor="test")
    assert project_id not in admin.compute.list_flavor_access(flavor.backend_id)
    assert not flavor.shared_with.exists()

    deleted = flavors.delete_flavor(flavor, actor="test")
    deleted.refresh_from_db()
    assert deleted.state == Task.State.SUCCEEDED, deleted.message
    assert flavor.backend_id not in {info.id for info in admin.compute.list_flavors()}
    assert not Flavor.objects.filter(pk=flavor.pk).exists()
