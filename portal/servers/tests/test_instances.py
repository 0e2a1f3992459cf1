"""Servers through the API: create, read, list, delete, operate, tasks; failure branches
through the simulator's fault injection; isolation between tenants."""

import json
from types import SimpleNamespace

import pytest
from django.urls import reverse

from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.images.models import Image
from portal.servers.models import Server
from portal.tenants import quotas
from portal.tenants.models import QuotaReservation, TenantQuota
from portal.tenants.quotas import update_quota

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

LIST = reverse("api:instance-list")


def detail(instance_id, action=None):
    if action:
        return reverse(f"api:instance-{action}", kwargs={"instance_id": instance_id})
    return reverse("api:instance-detail", kwargs={"instance_id": instance_id})


def create(client, body, expect=202):
    answer = client.post(LIST, body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def cloud_server(cloud, server):
    return SimulatorDriver(cloud).compute.get_server(server.backend_id)


@pytest.fixture
def created(identity, client_of_tenant, create_body):
    """A server made through the API, ready (the job runs eagerly)."""
    answer = create(client_of_tenant, create_body())
    return Server.objects.get(instance_id=answer["instance_id"])


# ---- create ------------------------------------------------------------------------------


def test_create_answers_202_with_the_instance_and_its_task(identity, client_of_tenant, create_body):
    answer = create(client_of_tenant, create_body())
    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert answer["instance_name"] == "web-1"
    assert answer["region"] == "region-one"
    assert answer["flavor"]["flavor_name"] == "m1.small"
    assert answer["system_disk"] == {"volume_type": "", "size_in_g": 5}
    assert [disk["size_in_g"] for disk in answer["data_disks"]] == [10, 20]
    assert answer["portal_state"] == "ready"
    assert answer["instance_status"] == "ACTIVE"  # the cloud's word
    server = Server.objects.get(instance_id=answer["instance_id"])
    assert answer["cloud_instance_id"] == server.backend_id != answer["instance_id"]
    assert answer["instance_addr"].startswith("10.0.0.")
    assert answer["locked"] is False


def test_create_makes_the_server_with_boot_volume_and_attached_data_disks(created, cloud):
    info = cloud_server(cloud, created)
    assert info.status == "ACTIVE"
    assert info.metadata == {"portal_instance_id": created.instance_id}
    data_ids = [volume.backend_id for volume in created.data_volumes.all()]
    assert all(volume_id in info.volume_ids for volume_id in data_ids)
    assert len(info.volume_ids) == 3  # the boot volume and the two data disks
    driver = SimulatorDriver(cloud)
    boot = next(v for v in info.volume_ids if v not in data_ids)
    assert driver.volumes.get_volume(boot).size == 5


def test_create_commits_the_quota(created, tenant):
    assert quotas.usage_of(tenant) == {
        **dict.fromkeys(TenantQuota.RESOURCES, 0),
        "instances": 1, "cores": 1, "ram": 2048, "volumes": 3, "gigabytes": 35,
    }  # fmt: skip


def test_create_refuses_unknown_flavor_and_image(identity, client_of_tenant, create_body):
    answer = create(client_of_tenant, create_body(flavor_ref="nope"), expect=400)
    assert "flavor_ref" in answer["error"]["fields"]
    answer = create(client_of_tenant, create_body(image_ref="nope"), expect=400)
    assert "image_ref" in answer["error"]["fields"]
    assert not Server.objects.exists()


def test_create_refuses_a_disabled_image_with_422(identity, client_of_tenant, create_body, catalog):
    Image.objects.filter(image_id=catalog["images"]["cirros-0.6.2"]).update(enabled=False)
    answer = create(client_of_tenant, create_body(), expect=422)
    assert answer["error"]["code"] == "image_unavailable"


def test_create_refuses_a_system_disk_below_the_image_minimum(
    identity, client_of_tenant, create_body, catalog
):
    body = create_body(image_ref=catalog["images"]["ubuntu-24.04"], system_disk={"size_in_g": 1})
    answer = create(client_of_tenant, body, expect=400)
    assert "system_disk" in answer["error"]["fields"]


def test_create_refuses_a_host_chosen_by_a_tenant(identity, client_of_tenant, create_body):
    create(client_of_tenant, create_body(hypervisor_hostname="sim-compute-1"), expect=400)


def test_create_over_quota_is_409_and_holds_nothing(
    tenant, identity, client_of_tenant, create_body
):
    update_quota(tenant, {"gigabytes": 20}, actor="test")
    answer = create(client_of_tenant, create_body(), expect=409)
    assert answer["error"]["code"] == "quota_exceeded"
    assert "gigabytes" in answer["error"]["fields"]
    assert quotas.usage_of(tenant)["instances"] == 0
    assert not Server.objects.exists()


@pytest.mark.parametrize(
    ("operation", "mode"),
    [
        ("compute.create_server", "unavailable"),
        ("compute.create_server", "quota"),
        ("volumes.create_volume", "fail"),
        ("volumes.attach_volume", "conflict"),
    ],
)
def test_a_failed_create_cleans_up_releases_and_fails_the_task(
    tenant, identity, client_of_tenant, create_body, cloud, operation, mode
):
    inject_fault(cloud, operation, mode=mode)
    answer = create(client_of_tenant, create_body())
    assert answer["task"]["state"] == "failed"
    assert answer["task"]["error_code"]
    assert "removed" in answer["task"]["message"]
    assert answer["portal_state"] == "failed"
    assert answer["locked"] is False
    assert quotas.usage_of(tenant)["instances"] == 0
    assert quotas.usage_of(tenant)["gigabytes"] == 0
    driver = SimulatorDriver(cloud)
    assert list(driver.compute.iter_servers()) == []
    assert driver.volumes.list_volumes() == []


def test_a_network_deleted_since_the_network_sync_fails_the_task_with_the_reason(
    tenant, identity, client_of_tenant, create_body, cloud, catalog
):
    # The mirror still lists it, so the request is accepted; the cloud refuses it.
    SimulatorDriver(cloud).network.delete_network(catalog["network_id"])
    answer = create(client_of_tenant, create_body())
    assert answer["task"]["state"] == "failed"
    assert answer["task"]["error_code"] == "not_found"
    assert quotas.usage_of(tenant)["instances"] == 0


def test_a_redelivered_create_job_makes_no_second_server(created, cloud):
    from portal.core.models import Task
    from portal.servers import tasks

    task = created.current_task
    Task.objects.filter(pk=task.pk).update(state="running", finished=None)
    Server.objects.filter(pk=created.pk).update(status=Server.Status.CREATING)
    tasks.create_server(str(task.pk))
    assert len(list(SimulatorDriver(cloud).compute.iter_servers())) == 1
    created.refresh_from_db()
    assert created.status == Server.Status.READY


def test_a_job_that_died_after_asking_finds_its_server_by_metadata(
    identity, client_of_tenant, create_body, cloud, monkeypatch
):
    from portal.core.models import Task
    from portal.servers import tasks

    monkeypatch.setattr(tasks.create_server, "apply_async", lambda *a, **k: SimpleNamespace(id=""))
    answer = create(client_of_tenant, create_body(data_disks=[]))
    server = Server.objects.get(instance_id=answer["instance_id"])
    # The first run asked the cloud, then died before recording the id.
    from portal.servers.workflows.create import _spec

    SimulatorDriver(cloud, _credentials(identity)).compute.create_server(_spec(server))
    Server.objects.filter(pk=server.pk).update(create_requested="2020-01-01T00:00:00Z")
    tasks.create_server(str(server.current_task_id))
    assert len(list(SimulatorDriver(cloud).compute.iter_servers())) == 1
    assert Task.objects.get(pk=server.current_task_id).state == "succeeded"


def _credentials(identity):
    from portal.tenants.credentials import tenant_credentials

    return tenant_credentials(identity)


def test_create_in_a_region_the_tenant_is_not_set_up_in_is_refused_up_front(
    tenant, client_of_tenant, create_body
):
    answer = create(client_of_tenant, create_body(), expect=409)
    assert answer["error"]["code"] == "tenant_not_ready"
    assert "region-one" in answer["error"]["message"]
    assert not Server.objects.exists()
    assert quotas.usage_of(tenant)["instances"] == 0


def test_create_in_a_region_whose_set_up_failed_is_refused_with_nothing_reserved(
    tenant, identity, client_of_tenant, create_body
):
    identity.state = identity.State.FAILED
    identity.save()

    answer = create(client_of_tenant, create_body(), expect=409)

    assert answer["error"]["code"] == "tenant_not_ready"
    assert "retried" in answer["error"]["message"]
    assert not Server.objects.exists()
    assert set(quotas.usage_of(tenant).values()) == {0}
    assert not QuotaReservation.objects.exists()


def test_operators_create_for_a_named_tenant(tenant, identity, staff_client, create_body):
    answer = create(staff_client, create_body(tenant_id=tenant.tenant_id))
    assert answer["tenant_id"] == tenant.tenant_id
    create(staff_client, create_body(), expect=400)


# ---- what a tenant may not see answers as an unknown id ---------------------------------


def refusal(client, body):
    answer = client.post(LIST, body, format="json")
    error = answer.json()["error"]
    del error["request_id"]
    return answer.status_code, error


def test_another_projects_private_image_is_answered_as_unknown(
    identity, client_of_tenant, create_body, cloud
):
    from portal.images.tests.factories import ImageFactory

    private = ImageFactory(
        cloud=cloud, visibility="private", owner="another-project", status="active", enabled=True
    )
    unknown = refusal(client_of_tenant, create_body(image_ref="no-such-image"))
    assert unknown[0] == 400
    assert refusal(client_of_tenant, create_body(image_ref=private.image_id)) == unknown
    assert not Server.objects.exists()


def _another_tenants(kind, other_tenant, cloud):
    """An object of `kind` that only another tenant may use, and the request field naming it."""
    from portal.network.tests.factories import NetworkFactory, SecurityGroupFactory
    from portal.servers.models import KeyPair
    from portal.servers.tests.factories import FlavorFactory

    if kind == "flavor_ref":
        flavor = FlavorFactory(cloud=cloud, is_public=False, shared_with=[other_tenant])
        return flavor.backend_id
    if kind == "network_uuid":
        return NetworkFactory(cloud=cloud, project_id="another-project").backend_id
    if kind == "security_group_name":
        return [SecurityGroupFactory(cloud=cloud, project_id="another-project").name]
    keypair = KeyPair.objects.create(
        tenant=other_tenant, cloud=cloud, name="theirs", public_key="ssh-ed25519 AAAA",
        key_type="ed25519", status=KeyPair.Status.READY,
    )  # fmt: skip
    return keypair.name


@pytest.mark.parametrize("field", ["flavor_ref", "network_uuid", "security_group_name", "key_name"])
def test_another_tenants_reference_is_answered_as_unknown(
    identity, client_of_tenant, create_body, cloud, other_tenant, field
):
    theirs = _another_tenants(field, other_tenant, cloud)
    unknown_value = ["no-such-thing"] if isinstance(theirs, list) else "no-such-thing"
    status, error = refusal(client_of_tenant, create_body(**{field: theirs}))
    named = str(theirs[0] if isinstance(theirs, list) else theirs)
    as_unknown = json.loads(json.dumps(error).replace(named, "no-such-thing"))
    assert (status, as_unknown) == refusal(client_of_tenant, create_body(**{field: unknown_value}))
    assert status == 400
    assert list(error["fields"]) == [field]
    assert not Server.objects.exists()
