"""A tenant in several regions: set up in every enabled cloud at sign-up and when a cloud
is added, refused up front where it is not ready, failed set-ups retried."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.clouds.simulator.faults import inject_fault
from portal.clouds.tests.factories import CloudFactory
from portal.core.errors import Conflict
from portal.core.models import Task
from portal.core.services import fail_stuck_tasks
from portal.tenants import regions
from portal.tenants.models import Tenant, TenantIdentity
from portal.tenants.tasks import retry_setups
from portal.tenants.tests.conftest import (
    IDENTITY_KINDS,
    TENANTS_URL,
    sign_up,
    simulated_identity,
)
from portal.tenants.tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(cloud):
    """A second enabled simulator cloud besides the default one."""
    return CloudFactory(name="sim-two", region="region-two")


def keystone_objects_in(cloud, tenant_id):
    held = simulated_identity(cloud, tenant_id)
    return {kind: len(held[kind]) for kind in IDENTITY_KINDS}


def states(tenant_id):
    return dict(
        TenantIdentity.objects.filter(tenant_id=tenant_id).values_list("cloud__region", "state")
    )


def test_sign_up_sets_the_tenant_up_in_every_enabled_cloud(
    cloud, second, platform_client, run_commit_hooks
):
    CloudFactory(name="off", region="region-off", enabled=False)

    response = sign_up(platform_client, "Acme")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "active"
    assert [(r["region"], r["state"]) for r in body["regions"]] == [
        ("region-one", "ready"),
        ("region-two", "ready"),
    ]
    assert all(r["task"]["state"] == "succeeded" for r in body["regions"])
    # `task` stays the default region's, as before regions had their own.
    assert body["task"]["task_id"] == body["regions"][0]["task"]["task_id"]
    for each in (cloud, second):
        assert set(keystone_objects_in(each, "t-0000000001").values()) != {0}
        assert keystone_objects_in(each, "t-0000000001")["domain"] == 1
    assert states("t-0000000001") == {"region-one": "ready", "region-two": "ready"}


def test_get_tenant_shows_each_region(cloud, second, platform_client, run_commit_hooks):
    inject_fault(second, "identity.create_domain", mode="unavailable")
    tenant_id = sign_up(platform_client, "Acme").json()["tenant_id"]

    body = platform_client.get(f"{TENANTS_URL}/{tenant_id}").json()

    assert body["status"] == "active"
    one, two = body["regions"]
    assert (one["region"], one["state"], one["message"]) == ("region-one", "ready", "")
    assert (two["region"], two["state"]) == ("region-two", "failed")
    assert "domain" in two["message"]
    assert two["task"]["error_code"] == "unavailable"


def test_registering_a_cloud_sets_existing_tenants_up_there(
    cloud, staff_client, platform_client, run_commit_hooks
):
    tenant_id = sign_up(platform_client, "Acme").json()["tenant_id"]

    answer = staff_client.post(
        "/api/v1/clouds",
        {"name": "sim-new", "kind": "simulator", "region": "region-new", "password": "x"},
        format="json",
    )

    assert answer.status_code == 201, answer.content
    assert states(tenant_id) == {"region-one": "ready", "region-new": "ready"}
    new = TenantIdentity.objects.get(tenant_id=tenant_id, cloud__region="region-new")
    assert keystone_objects_in(new.cloud, tenant_id)["domain"] == 1
    assert new.task.requested_by == "staff:operator"


def test_enabling_a_cloud_again_sets_up_who_signed_up_meanwhile(
    cloud, second, staff_client, platform_client, run_commit_hooks
):
    staff_client.patch(f"/api/v1/clouds/{second.pk}", {"enabled": False}, format="json")
    tenant_id = sign_up(platform_client, "Acme").json()["tenant_id"]
    assert states(tenant_id) == {"region-one": "ready"}

    staff_client.patch(f"/api/v1/clouds/{second.pk}", {"enabled": True}, format="json")

    assert states(tenant_id) == {"region-one": "ready", "region-two": "ready"}


def test_a_failed_region_refuses_creates_up_front_and_is_retried(
    cloud, second, platform_client, run_commit_hooks
):
    inject_fault(second, "identity.create_user", mode="unavailable")
    tenant_id = sign_up(platform_client, "Acme").json()["tenant_id"]
    tenant = Tenant.objects.get(pk=tenant_id)
    failed = TenantIdentity.objects.get(tenant=tenant, cloud=second)
    assert (tenant.status, failed.state, failed.failures) == ("active", "failed", 1)
    # What the failed set-up made there was undone.
    assert set(keystone_objects_in(second, tenant_id).values()) == {0}

    with pytest.raises(Conflict) as refused:
        regions.require_ready(tenant, second)

    assert refused.value.code == "tenant_not_ready"
    assert "region-two" in refused.value.message
    assert "retried" in refused.value.message

    retry_setups()  # beat

    assert states(tenant_id) == {"region-one": "ready", "region-two": "ready"}
    regions.require_ready(tenant, second)


def test_a_pending_region_is_refused_as_still_being_set_up(cloud, second, platform_client):
    # No commit hooks: the set-up jobs are queued, not run.
    tenant = Tenant.objects.get(pk=sign_up(platform_client, "Acme").json()["tenant_id"])

    with pytest.raises(Conflict) as refused:
        regions.require_ready(tenant, second)

    assert refused.value.code == "tenant_not_ready"
    assert "still being set up" in refused.value.message
    assert states(tenant.tenant_id) == {"region-one": "pending", "region-two": "pending"}


def test_every_region_failing_fails_the_tenant(cloud, second, platform_client, run_commit_hooks):
    for each in (cloud, second):
        inject_fault(each, "identity.create_project", mode="fail")

    tenant_id = sign_up(platform_client, "Acme").json()["tenant_id"]

    tenant = Tenant.objects.get(pk=tenant_id)
    assert tenant.status == Tenant.Status.FAILED
    assert "project" in tenant.status_message
    retry_setups()
    assert Tenant.objects.get(pk=tenant_id).status == Tenant.Status.ACTIVE


def test_beat_stops_retrying_at_the_limit_and_an_operator_starts_again(
    cloud, platform_client, run_commit_hooks, settings
):
    settings.TENANT_SETUP_RETRIES = 2
    inject_fault(cloud, "identity.create_domain", mode="unavailable", times=None)
    tenant = Tenant.objects.get(pk=sign_up(platform_client, "Acme").json()["tenant_id"])

    retry_setups()
    retry_setups()  # the limit is reached: nothing is queued

    identity = TenantIdentity.objects.get(tenant=tenant)
    assert (identity.state, identity.failures) == ("failed", 2)
    assert Task.objects.filter(kind="tenant.provision").count() == 2

    assert regions.retry_tenant(tenant, actor="staff:alice") == 1
    identity.refresh_from_db()
    assert (identity.state, identity.failures) == ("failed", 1)


def test_beat_sets_up_tenants_missing_in_an_enabled_cloud(cloud, run_commit_hooks):
    tenant = TenantFactory()  # e.g. signed up before the cloud was registered

    retry_setups()

    assert states(tenant.tenant_id) == {"region-one": "ready"}


def test_an_abandoned_set_up_fails_its_region_only(cloud, second, platform_client):
    tenant_id = sign_up(platform_client, "Acme").json()["tenant_id"]
    # The default region's job ran; the other's was lost.
    done = TenantIdentity.objects.get(cloud=cloud)
    TenantIdentity.objects.filter(pk=done.pk).update(state="ready")
    Task.objects.filter(pk=done.task_id).update(state="succeeded", finished=timezone.now())

    assert fail_stuck_tasks(now=timezone.now() + timedelta(days=1)) == 1

    assert states(tenant_id) == {"region-one": "ready", "region-two": "failed"}
    assert Tenant.objects.get(pk=tenant_id).status == Tenant.Status.ACTIVE


def test_the_tenant_list_reads_regions_in_constant_queries(
    cloud, second, platform_client, run_commit_hooks, django_assert_max_num_queries
):
    for name in ("a", "b", "c"):
        sign_up(platform_client, name)

    with django_assert_max_num_queries(6):
        body = platform_client.get(TENANTS_URL).json()

    assert [len(t["regions"]) for t in body["tenants"]] == [2, 2, 2]


def test_the_admin_retries_failed_regions_and_skips_ready_ones(
    cloud, second, admin_client, platform_client, run_commit_hooks
):
    inject_fault(second, "identity.create_domain", mode="unavailable")
    tenant_id = sign_up(platform_client, "Acme").json()["tenant_id"]
    TenantIdentity.objects.filter(cloud=second).update(failures=6)  # beat gave up

    response = admin_client.post(
        "/admin/tenants/tenant/",
        {"action": "retry_setup", "_selected_action": [tenant_id]},
        follow=True,
    )

    assert "1 set-up queued." in response.content.decode()
    assert states(tenant_id) == {"region-one": "ready", "region-two": "ready"}
    assert regions.retry_tenant(Tenant.objects.get(pk=tenant_id), actor="staff:alice") == 0
