"""Cloud disks through the API, on the simulator: create, read, extend, rename, attach,
detach and delete, with the cloud's refusals and the failure branches."""

import pytest

from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.models import SimulatedObject
from portal.core.models import Task
from portal.core.services import release_held
from portal.servers.disks.models import Volume
from portal.servers.models import Server
from portal.servers.tests.disks.conftest import (
    LIST,
    create_disk,
    disk_url,
    in_cloud,
    operate,
    post,
    row,
    usage,
)
from portal.tenants.models import QuotaReservation, TenantQuota

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


# ---- create ------------------------------------------------------------------------------


def test_create_makes_the_volume_and_holds_the_quota(client_of_tenant, tenant, cloud, disk):
    assert disk["task"]["state"] == "succeeded", disk["task"]
    assert (disk["volume_name"], disk["volume_desc"], disk["volume_status"]) == (
        "data-1", "logs", "available",
    )  # fmt: skip
    assert disk["cloud_disk_conf"] == {"volume_type": "standard", "size_in_g": 10}
    assert (disk["region"], disk["attach_instance_id"], disk["attached_time"]) == (
        "region-one", "", None,
    )  # fmt: skip
    volume = in_cloud(cloud, disk)
    assert (volume.name, volume.data["size"], volume.status) == ("data-1", 10, "available")
    assert usage(tenant) == (1, 10)
    assert not row(disk).locked


def test_an_unknown_volume_type_means_the_default(client_of_tenant, tenant_driver, cloud):
    disk = create_disk(client_of_tenant, cloud_disk_conf={"volume_type": "gold", "size_in_g": 1})

    assert disk["task"]["state"] == "succeeded", disk["task"]
    assert disk["cloud_disk_conf"]["volume_type"] == "standard"


def test_create_beyond_the_quota_is_refused_and_makes_nothing(
    client_of_tenant, tenant, tenant_driver
):
    TenantQuota.objects.update_or_create(tenant=tenant, defaults={"gigabytes": 15})

    answer = create_disk(client_of_tenant, expect=409, cloud_disk_conf={"size_in_g": 16})

    assert answer["error"]["code"] == "quota_exceeded"
    assert not Volume.objects.exists()


@pytest.mark.parametrize("size", [0, -1, 16385])
def test_create_with_a_bad_size_is_a_bad_request(client_of_tenant, tenant_driver, size):
    answer = create_disk(client_of_tenant, expect=400, cloud_disk_conf={"size_in_g": size})

    assert "cloud_disk_conf" in answer["error"]["fields"]
    assert not Volume.objects.exists()


def test_create_for_a_tenant_not_set_up_is_a_conflict(client_of_tenant, cloud):
    answer = create_disk(client_of_tenant, expect=409)

    assert answer["error"]["code"] == "tenant_not_ready"
    assert not Volume.objects.exists()


def test_cloud_refusing_the_create_fails_the_task_and_gives_the_quota_back(
    client_of_tenant, tenant, cloud, tenant_driver
):
    inject_fault(cloud, "volumes.create_volume", mode="quota")

    disk = create_disk(client_of_tenant)

    assert disk["task"]["state"] == "failed"
    assert (disk["volume_status"], disk["locked"]) == ("error", False)
    assert disk["status_message"]
    assert usage(tenant) == (0, 0)


def test_a_volume_that_goes_wrong_is_removed(client_of_tenant, tenant, cloud, tenant_driver):
    inject_fault(cloud, "volumes.get_volume", mode="fail")

    disk = create_disk(client_of_tenant)

    assert disk["task"]["state"] == "failed"
    assert disk["volume_status"] == "deleted"
    assert not SimulatedObject.objects.filter(kind=SimulatedObject.Kind.VOLUME).exists()
    assert usage(tenant) == (0, 0)


# ---- read --------------------------------------------------------------------------------


def test_get_and_list_with_filters(client_of_tenant, tenant, cloud, tenant_driver, server):
    first = create_disk(client_of_tenant, volume_name="alpha")
    create_disk(client_of_tenant, volume_name="beta")
    operate(client_of_tenant, first, server, "attach")

    got = client_of_tenant.get(disk_url(first)).json()
    assert (got["volume_status"], got["attach_instance_id"]) == ("in-use", server.instance_id)
    assert got["attach_instance_device"] == "/dev/vdb"
    assert got["attached_time"]

    def names(query):
        answer = client_of_tenant.get(f"{LIST}?{query}").json()
        return sorted(disk["volume_name"] for disk in answer["cloud_disks"])

    assert names("") == ["alpha", "beta"]
    assert names("volume_status=in-use") == ["alpha"]
    assert names("status=available") == ["beta"]
    assert names(f"instance_id={server.instance_id}") == ["alpha"]
    assert names("volume_name=bet") == ["beta"]


def test_list_queries_are_constant_per_page(client_of_tenant, tenant, cloud, server,
                                            django_assert_max_num_queries):  # fmt: skip
    for number in range(30):
        Volume.objects.create(
            cloud=cloud, tenant=tenant, name=f"d{number}", size=1, status="in-use",
            server=server, backend_id=f"vol-{number}",
        )  # fmt: skip

    with django_assert_max_num_queries(8):
        answer = client_of_tenant.get(f"{LIST}?page_size=25")

    assert answer.status_code == 200
    assert len(answer.json()["cloud_disks"]) == 25


# ---- tenant isolation --------------------------------------------------------------------


def test_another_tenants_disk_is_not_found_anywhere(
    client_of_tenant, client_of_other_tenant, other_tenant, cloud, disk, server
):
    url = disk_url(disk)
    attach = {"instance_id": server.instance_id, "ops_type": "attach"}
    for answer in (
        client_of_other_tenant.get(url),
        client_of_other_tenant.patch(url, {"volume_name": "x"}, format="json"),
        client_of_other_tenant.post(f"{url}/resize", {"cloud_disk_conf": {"size_in_g": 20}},
                                    format="json"),
        client_of_other_tenant.post(f"{url}/operate", attach, format="json"),
        client_of_other_tenant.delete(url),
    ):  # fmt: skip
        assert answer.status_code == 404, answer.content
    assert client_of_other_tenant.get(LIST).json()["cloud_disks"] == []
    assert (row(disk).name, row(disk).status) == ("data-1", "available")


def test_a_server_of_another_tenant_cannot_be_named(client_of_tenant, other_tenant, cloud, disk):
    theirs = Server.objects.create(
        cloud=cloud, tenant=other_tenant, name="theirs", flavor_ref="f", flavor_name="f",
        vcpus=1, ram=1, image_ref="i", system_disk_size=1, network_id="n", status="ready",
        runtime_state="ACTIVE", backend_id="their-server",
    )  # fmt: skip

    answer = operate(client_of_tenant, disk, theirs, "attach", expect=400)

    assert "instance_id" in answer["error"]["fields"]


# ---- extend ------------------------------------------------------------------------------


def test_extend_grows_the_disk_and_its_quota(client_of_tenant, tenant, cloud, disk):
    answer = post(
        client_of_tenant, disk_url(disk, "resize"), {"cloud_disk_conf": {"size_in_g": 25}}
    )

    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert answer["cloud_disk_conf"]["size_in_g"] == 25
    assert in_cloud(cloud, disk).data["size"] == 25
    assert usage(tenant) == (1, 25)


@pytest.mark.parametrize("size", [10, 5])
def test_shrinking_is_unprocessable(client_of_tenant, tenant, disk, size):
    url = disk_url(disk, "resize")

    answer = post(client_of_tenant, url, {"cloud_disk_conf": {"size_in_g": size}}, expect=422)

    assert answer["error"]["code"] == "shrink_refused"
    assert not row(disk).locked
    assert usage(tenant) == (1, 10)


def test_extend_beyond_the_quota_is_refused(client_of_tenant, tenant, disk):
    TenantQuota.objects.update_or_create(tenant=tenant, defaults={"gigabytes": 15})

    answer = post(client_of_tenant, disk_url(disk, "resize"),
                  {"cloud_disk_conf": {"size_in_g": 16}}, expect=409)  # fmt: skip

    assert answer["error"]["code"] == "quota_exceeded"
    assert not row(disk).locked


def test_an_attached_disk_is_extended(client_of_tenant, cloud, disk, server):
    operate(client_of_tenant, disk, server, "attach")

    answer = post(
        client_of_tenant, disk_url(disk, "resize"), {"cloud_disk_conf": {"size_in_g": 12}}
    )

    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert (answer["cloud_disk_conf"]["size_in_g"], answer["volume_status"]) == (12, "in-use")


def test_a_cloud_that_cannot_extend_attached_disks_is_a_conflict(client_of_tenant, cloud, disk,
                                                                   server):  # fmt: skip
    operate(client_of_tenant, disk, server, "attach")
    cloud.options = {**cloud.options, "extend_attached_volumes": False}
    cloud.save()

    answer = post(client_of_tenant, disk_url(disk, "resize"),
                  {"cloud_disk_conf": {"size_in_g": 12}}, expect=409)  # fmt: skip

    assert answer["error"]["code"] == "attached"
    assert not row(disk).locked


def test_cloud_refusing_the_extend_fails_the_task_and_keeps_the_size(client_of_tenant, tenant,
                                                                      cloud, disk):  # fmt: skip
    inject_fault(cloud, "volumes.extend_volume", mode="bad_request")

    answer = post(
        client_of_tenant, disk_url(disk, "resize"), {"cloud_disk_conf": {"size_in_g": 20}}
    )

    assert answer["task"]["state"] == "failed"
    assert "10 GB" in answer["task"]["message"]
    assert (answer["cloud_disk_conf"]["size_in_g"], answer["locked"]) == (10, False)
    assert in_cloud(cloud, disk).data["size"] == 10
    assert usage(tenant) == (1, 10)


# ---- modify ------------------------------------------------------------------------------


def test_patch_renames_in_the_cloud(client_of_tenant, cloud, disk):
    answer = client_of_tenant.patch(
        f"{disk_url(disk)}?wait=30", {"volume_name": "renamed", "volume_desc": "db"}, format="json"
    )

    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert (body["volume_name"], body["volume_desc"]) == ("renamed", "db")
    volume = in_cloud(cloud, disk)
    assert (volume.name, volume.data["description"]) == ("renamed", "db")


def test_patch_with_nothing_is_a_bad_request(client_of_tenant, disk):
    answer = client_of_tenant.patch(disk_url(disk), {}, format="json")

    assert answer.status_code == 400


def test_cloud_refusing_the_rename_changes_nothing(client_of_tenant, cloud, disk):
    inject_fault(cloud, "volumes.update_volume", mode="unavailable")

    answer = client_of_tenant.patch(
        f"{disk_url(disk)}?wait=30", {"volume_name": "x"}, format="json"
    )

    body = answer.json()
    assert body["task"]["state"] == "failed"
    assert (body["volume_name"], body["locked"]) == ("data-1", False)


# ---- delete ------------------------------------------------------------------------------


def test_delete_waits_for_the_cloud_then_gives_the_quota_back(client_of_tenant, tenant, cloud,
                                                              disk):  # fmt: skip
    answer = client_of_tenant.delete(f"{disk_url(disk)}?wait=30")

    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["task"]["state"] == "succeeded", body["task"]
    assert body["volume_id"] == disk["volume_id"]
    assert body["deleted_time"]
    assert not SimulatedObject.objects.filter(kind=SimulatedObject.Kind.VOLUME).exists()
    assert usage(tenant) == (0, 0)
    assert client_of_tenant.get(LIST).json()["cloud_disks"] == []
    listed = client_of_tenant.get(f"{LIST}?volume_status=deleted").json()["cloud_disks"]
    assert [disk["volume_id"] for disk in listed] == [body["volume_id"]]


def test_an_attached_disk_is_not_deleted(client_of_tenant, tenant, disk, server):
    operate(client_of_tenant, disk, server, "attach")

    answer = client_of_tenant.delete(disk_url(disk))

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "attached"
    assert usage(tenant) == (1, 10)


def test_cloud_refusing_the_delete_keeps_the_disk_and_its_quota(client_of_tenant, tenant, cloud,
                                                                disk):  # fmt: skip
    inject_fault(cloud, "volumes.delete_volume", mode="conflict")

    body = client_of_tenant.delete(f"{disk_url(disk)}?wait=30").json()

    assert (body["task"]["state"], body["deleted_time"]) == ("failed", None)
    assert (row(disk).status, row(disk).locked) == ("available", False)
    assert usage(tenant) == (1, 10)


def test_a_busy_disk_is_a_conflict(client_of_tenant, disk):
    Volume.objects.filter(volume_id=disk["volume_id"]).update(locked=True)

    answer = client_of_tenant.delete(disk_url(disk))

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "locked"


def test_an_abandoned_task_gives_back_what_it_held(client_of_tenant, tenant, cloud, disk, server):
    operate(client_of_tenant, disk, server, "attach")
    Volume.objects.filter(volume_id=disk["volume_id"]).update(locked=True)
    Server.objects.filter(pk=server.pk).update(locked=True)
    task = Task.objects.filter(kind="disk.attach").get()

    release_held(task, "lost")

    server.refresh_from_db()
    assert (row(disk).locked, server.locked) == (False, False)


def test_a_disk_the_cloud_never_made_is_only_deleted(client_of_tenant, tenant, cloud,
                                                     tenant_driver):  # fmt: skip
    inject_fault(cloud, "volumes.create_volume", mode="quota")
    disk = create_disk(client_of_tenant)

    renamed = client_of_tenant.patch(disk_url(disk), {"volume_name": "x"}, format="json")
    assert renamed.status_code == 409
    assert renamed.json()["error"]["code"] == "invalid_state"
    gone = client_of_tenant.delete(f"{disk_url(disk)}?wait=30").json()
    assert gone["task"]["state"] == "succeeded", gone["task"]
    assert row(disk).status == "deleted"


def test_a_retried_create_with_the_same_idempotency_key_makes_one_disk(client_of_tenant,
                                                                       tenant_driver):  # fmt: skip
    body = {"volume_name": "once", "cloud_disk_conf": {"size_in_g": 1}}
    answers = [
        client_of_tenant.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="disk-1")
        for _ in range(2)
    ]

    assert [answer.status_code for answer in answers] == [202, 202]
    assert answers[0].json()["volume_id"] == answers[1].json()["volume_id"]
    assert Volume.objects.count() == 1


def test_an_abandoned_create_gives_the_quota_back_unless_the_cloud_made_the_disk(
    client_of_tenant, tenant, cloud, tenant_driver
):
    made, never_made = (create_disk(client_of_tenant, volume_name=n) for n in ("made", "never"))
    Volume.objects.filter(volume_id=never_made["volume_id"]).update(backend_id=None)
    for disk in (made, never_made):  # as the worker died while the cloud made it
        Volume.objects.filter(volume_id=disk["volume_id"]).update(status="creating", locked=True)
        task = Task.objects.get(kind="disk.create", target_id=disk["volume_id"])
        QuotaReservation.objects.filter(task=task).update(state="reserved")

        release_held(task, "lost")

        assert (row(disk).status, row(disk).locked) == ("error", False)
    assert usage(tenant) == (1, 10)  # what the disk the cloud made holds
