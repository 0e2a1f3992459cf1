import pytest
from django.utils import timezone

from portal.clouds.tests.factories import CloudFactory
from portal.core.models import Task
from portal.core.tests.queries import count_queries
from portal.servers.tests.factories import FlavorFactory

pytestmark = pytest.mark.django_db

FLAVOR_FIELDS = {
    "flavor_id", "flavor_name", "flavor_vcpus", "flavor_ram", "flavor_disk", "region",
    "extra_specs",
}  # fmt: skip
OPERATOR_FIELDS = FLAVOR_FIELDS | {
    "enabled", "is_public", "shared_with", "missing", "missing_since", "synced_time",
}  # fmt: skip


def ids(body):
    return {flavor["flavor_id"] for flavor in body["flavors"]}


@pytest.fixture
def catalog(cloud, tenant, other_tenant):
    """One flavor of each kind a tenant must or must not see."""
    return {
        "public": FlavorFactory(cloud=cloud, backend_id="public"),
        "disabled": FlavorFactory(cloud=cloud, backend_id="disabled", enabled=False),
        "missing": FlavorFactory(cloud=cloud, backend_id="missing", missing_since=timezone.now()),
        "mine": FlavorFactory(
            cloud=cloud, backend_id="mine", is_public=False, shared_with=[tenant]
        ),
        "theirs": FlavorFactory(
            cloud=cloud, backend_id="theirs", is_public=False, shared_with=[other_tenant]
        ),
        "private": FlavorFactory(cloud=cloud, backend_id="private", is_public=False),
    }


def test_tenant_sees_offered_public_flavors_and_its_shared_ones(catalog, client_of_tenant):
    body = client_of_tenant.get("/api/v1/flavors").json()
    assert ids(body) == {"public", "mine"}
    assert (body["count"], body["page_number"], body["page_size"]) == (2, 1, 20)


def test_tenant_flavor_fields_follow_seed_004(cloud, client_of_tenant):
    FlavorFactory(
        cloud=cloud, backend_id="42", name="m1.small", vcpus=1, ram=2048, disk=20,
        extra_specs={"hw:cpu_policy": "shared"},
    )  # fmt: skip
    body = client_of_tenant.get("/api/v1/flavors/42").json()
    assert body == {
        "flavor_id": "42",
        "flavor_name": "m1.small",
        "flavor_vcpus": "1",
        "flavor_ram": "2048",
        "flavor_disk": "20",
        "region": "region-one",
        "extra_specs": {"hw:cpu_policy": "shared"},
    }


@pytest.mark.parametrize("hidden", ["disabled", "missing", "theirs", "private"])
def test_flavors_a_tenant_may_not_use_are_not_found(catalog, client_of_tenant, hidden):
    response = client_of_tenant.get(f"/api/v1/flavors/{hidden}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_flavor_shared_with_one_tenant_is_not_found_for_another(catalog, client_of_other_tenant):
    assert client_of_other_tenant.get("/api/v1/flavors/theirs").status_code == 200
    assert client_of_other_tenant.get("/api/v1/flavors/mine").status_code == 404


@pytest.mark.parametrize("caller", ["staff_client", "platform_client"])
def test_operators_see_every_flavor_with_portal_fields(catalog, caller, request, other_tenant):
    client = request.getfixturevalue(caller)
    body = client.get("/api/v1/flavors").json()
    assert ids(body) == set(catalog)
    assert set(body["flavors"][0]) == OPERATOR_FIELDS
    theirs = client.get("/api/v1/flavors/theirs").json()
    assert (theirs["is_public"], theirs["shared_with"]) == (False, [other_tenant.tenant_id])
    missing = client.get("/api/v1/flavors/missing").json()
    assert missing["missing"] is True


def test_filters(catalog, staff_client):
    assert ids(staff_client.get("/api/v1/flavors?enabled=false").json()) == {"disabled"}
    assert ids(staff_client.get("/api/v1/flavors?missing=true").json()) == {"missing"}
    assert "missing" not in ids(staff_client.get("/api/v1/flavors?missing=false").json())
    assert staff_client.get("/api/v1/flavors?region=nowhere").json()["count"] == 0


def test_region_filter_and_ids_repeated_across_clouds(cloud, client_of_tenant):
    other_cloud = CloudFactory(name="sim-2", region="region-two")
    FlavorFactory(cloud=cloud, backend_id="1", name="here")
    FlavorFactory(cloud=other_cloud, backend_id="1", name="there")

    listed = client_of_tenant.get("/api/v1/flavors?region=region-two").json()
    assert [(f["flavor_name"], f["region"]) for f in listed["flavors"]] == [("there", "region-two")]
    # Without a region the default cloud's flavor wins; with one, that cloud's.
    assert client_of_tenant.get("/api/v1/flavors/1").json()["flavor_name"] == "here"
    assert client_of_tenant.get("/api/v1/flavors/1?region=region-two").json()["region"] == (
        "region-two"
    )


def test_paging(cloud, client_of_tenant):
    FlavorFactory.create_batch(5, cloud=cloud)
    body = client_of_tenant.get("/api/v1/flavors?page_number=2&page_size=2").json()
    assert (body["count"], len(body["flavors"]), body["page_number"], body["page_size"]) == (
        5, 2, 2, 2,
    )  # fmt: skip


@pytest.mark.parametrize("caller", ["client_of_tenant", "staff_client"])
def test_list_costs_the_same_number_of_queries_whatever_the_page_size(
    cloud, tenant, other_tenant, caller, request, django_assert_max_num_queries
):
    client = request.getfixturevalue(caller)
    FlavorFactory.create_batch(3, cloud=cloud)
    FlavorFactory.create_batch(2, cloud=cloud, is_public=False, shared_with=[tenant, other_tenant])
    few = count_queries(client, "/api/v1/flavors?page_size=100")
    FlavorFactory.create_batch(30, cloud=cloud)
    FlavorFactory.create_batch(15, cloud=cloud, is_public=False, shared_with=[tenant, other_tenant])
    with django_assert_max_num_queries(few):
        body = client.get("/api/v1/flavors?page_size=100").json()
    assert body["count"] == 50


# ---- sync now ------------------------------------------------------------------------


def test_tenant_cannot_sync(cloud, client_of_tenant):
    response = client_of_tenant.post("/api/v1/flavors/sync")
    assert response.status_code == 403
    assert not Task.objects.exists()


@pytest.mark.parametrize("caller", ["staff_client", "platform_client"])
def test_operator_queues_a_sync_of_the_default_cloud(cloud, caller, request):
    response = request.getfixturevalue(caller).post("/api/v1/flavors/sync")
    assert response.status_code == 202
    body = response.json()
    assert body["region"] == "region-one"
    task = Task.objects.get()
    assert (task.kind, task.target_type, task.target_id) == ("flavors.sync", "cloud", str(cloud.pk))
    assert body["task"]["task_id"] == str(task.pk)
    assert body["task"]["state"] == "queued"


def test_sync_of_a_named_region_and_of_an_unknown_one(cloud, staff_client):
    other_cloud = CloudFactory(name="sim-2", region="region-two")
    response = staff_client.post("/api/v1/flavors/sync", {"region": "region-two"}, format="json")
    assert response.status_code == 202
    assert Task.objects.get().target_id == str(other_cloud.pk)

    response = staff_client.post("/api/v1/flavors/sync", {"region": "nowhere"}, format="json")
    assert response.status_code == 400
    assert "region" in response.json()["error"]["fields"]


def test_a_second_sync_request_joins_the_pending_one(cloud, staff_client):
    first = staff_client.post("/api/v1/flavors/sync").json()["task"]["task_id"]
    second = staff_client.post("/api/v1/flavors/sync").json()["task"]["task_id"]
    assert first == second
    assert Task.objects.count() == 1


def test_anonymous_callers_are_refused(catalog, anon_client):
    assert anon_client.get("/api/v1/flavors").status_code in (401, 403)
    assert anon_client.post("/api/v1/flavors/sync").status_code in (401, 403)
