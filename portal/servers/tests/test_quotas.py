"""Quota reservations: reserve, commit, release, usage, and the concurrency guarantee."""

import threading
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.urls import reverse

from conftest import tenant_client
from portal.core.errors import QuotaExceeded
from portal.core.services import create_task
from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory
from portal.tenants import quotas
from portal.tenants.models import QuotaReservation
from portal.tenants.quotas import update_quota

pytestmark = pytest.mark.django_db


def reserve(tenant, **amounts):
    with transaction.atomic():
        return quotas.reserve(tenant, **amounts)


def test_usage_sums_reserved_and_committed_not_released(tenant):
    reserve(tenant, instances=1, cores=2, ram=2048)
    committed = reserve(tenant, instances=1, cores=1)
    committed.state = QuotaReservation.State.COMMITTED
    committed.save()
    released = reserve(tenant, instances=1, cores=8)
    released.state = QuotaReservation.State.RELEASED
    released.save()
    usage = quotas.usage_of(tenant)
    assert usage["instances"] == 2
    assert usage["cores"] == 3
    assert usage["ram"] == 2048
    assert usage["images"] == 0


def test_reserve_refuses_beyond_the_limit_and_says_what_is_short(tenant):
    update_quota(tenant, {"instances": 1, "cores": 4}, actor="test")
    reserve(tenant, instances=1, cores=2)
    with pytest.raises(QuotaExceeded) as caught:
        reserve(tenant, instances=1, cores=1)
    assert caught.value.code == "quota_exceeded"
    assert set(caught.value.fields) == {"instances"}
    assert quotas.usage_of(tenant)["instances"] == 1


def test_unlimited_quota_never_refuses(tenant):
    update_quota(tenant, {"cores": -1}, actor="test")
    reserve(tenant, cores=10_000)
    assert quotas.usage_of(tenant)["cores"] == 10_000


def test_commit_and_release_by_task(tenant):
    task = create_task("test", tenant=tenant)
    other = create_task("test", tenant=tenant)
    with transaction.atomic():
        quotas.reserve(tenant, task=task, instances=1)
        quotas.reserve(tenant, task=other, instances=1)
    assert quotas.commit_task_reservations(task) == 1
    assert quotas.release_task_reservations(task) == 0  # committed stays
    assert quotas.release_task_reservations(other) == 1
    assert quotas.usage_of(tenant)["instances"] == 1


def test_releasing_a_server_keeps_what_its_data_volumes_hold(tenant, cloud):
    server = ServerFactory(tenant=tenant, cloud=cloud)
    volume = server.data_volumes.create(cloud=cloud, tenant=tenant, size=10)
    quotas.record(tenant, holder=server, instances=1, volumes=1, gigabytes=5)
    quotas.record(tenant, holder=volume, volumes=1, gigabytes=10)
    assert quotas.release_held_by(server) == 1
    assert quotas.usage_of(tenant) == {**quotas.usage_of(tenant), "instances": 0, "volumes": 1}
    assert quotas.usage_of(tenant)["gigabytes"] == 10


# ---- the usage endpoint -----------------------------------------------------------------


def usage_url(tenant):
    return reverse("api:tenant-usage", kwargs={"tenant_id": tenant.tenant_id})


def test_tenant_reads_its_own_usage_in_the_quota_shape(tenant, client_of_tenant):
    reserve(tenant, instances=1, cores=2, ram=1024, volumes=3, gigabytes=40)
    answer = client_of_tenant.get(usage_url(tenant))
    assert answer.status_code == 200
    assert answer.json() == {
        "instances": 1, "cores": 2, "ram": 1024, "volumes": 3, "gigabytes": 40,
        "images": 0, "security_groups": 0,
    }  # fmt: skip


def test_usage_of_another_tenant_is_not_found(other_tenant, client_of_tenant):
    assert client_of_tenant.get(usage_url(other_tenant)).status_code == 404


def test_operators_read_any_usage(tenant, platform_client, staff_client):
    assert platform_client.get(usage_url(tenant)).status_code == 200
    assert staff_client.get(usage_url(tenant)).status_code == 200


def test_usage_of_an_unknown_tenant_is_not_found(staff_client, db):
    answer = staff_client.get(reverse("api:tenant-usage", kwargs={"tenant_id": "t-nobody"}))
    assert answer.status_code == 404


def test_usage_needs_a_key(tenant, anon_client):
    assert anon_client.get(usage_url(tenant)).status_code in (401, 403)


# ---- concurrency ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_creates_against_ten_instances(
    tenant, identity, create_body, monkeypatch
):
    """30 requests at once, instance quota 10: exactly 10 accepted, 20 refused with
    quota_exceeded, and usage exact (the create jobs are not run here)."""
    from portal.servers import tasks

    monkeypatch.setattr(tasks.create_server, "apply_async", lambda *a, **k: SimpleNamespace(id=""))
    update_quota(tenant, {"instances": 10, "cores": -1, "ram": -1}, actor="test")
    body = create_body(data_disks=[{"size_in_g": 1}])
    clients = [tenant_client(tenant) for _ in range(30)]
    barrier = threading.Barrier(30)
    codes, errors = [], []

    def create(client):
        try:
            barrier.wait()
            answer = client.post(reverse("api:instance-list"), body, format="json")
            codes.append((answer.status_code, answer.json().get("error", {}).get("code")))
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(codes, key=str).count((202, None)) == 10
    assert codes.count((409, "quota_exceeded")) == 20
    usage = quotas.usage_of(tenant)
    assert usage["instances"] == 10
    assert usage["volumes"] == 20  # a system disk and a data disk each
    assert Server.objects.filter(tenant=tenant).count() == 10
