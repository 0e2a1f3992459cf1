import pytest
from django.utils import timezone

from portal.clouds.tests.factories import CloudFactory
from portal.core.models import Task
from portal.core.tests.queries import count_queries
from portal.images.models import Image
from portal.images.tests.factories import ImageFactory
from portal.tenants.models import TenantIdentity

pytestmark = pytest.mark.django_db

IMAGE_FIELDS = {
    "image_id", "image_name", "image_diskformat", "image_containerformat", "image_status",
    "min_disk", "min_ram", "size", "checksum", "os_type", "os_distro", "os_version",
    "description", "region",
}  # fmt: skip
OPERATOR_FIELDS = IMAGE_FIELDS | {
    "enabled", "origin", "uploaded_by", "visibility", "missing", "missing_since", "synced_time",
    "upload_state", "upload_size", "received_bytes",
}  # fmt: skip


def ids(body):
    return {image["image_id"] for image in body["images"]}


def give_project(tenant, cloud, project_id):
    TenantIdentity.objects.create(
        tenant=tenant, cloud=cloud, domain_name=tenant.tenant_id, domain_id="d",
        project_name=tenant.tenant_id, project_id=project_id, username=tenant.tenant_id,
        password="pw", role_name="member",
    )  # fmt: skip


@pytest.fixture
def catalog(cloud, tenant, other_tenant):
    """One image of each kind a tenant must or must not see."""
    give_project(tenant, cloud, "project-mine")
    give_project(other_tenant, cloud, "project-theirs")
    return {
        "public": ImageFactory(cloud=cloud, image_id="public"),
        "community": ImageFactory(cloud=cloud, image_id="community", visibility="community"),
        "disabled": ImageFactory(cloud=cloud, image_id="disabled", enabled=False),
        "missing": ImageFactory(cloud=cloud, image_id="missing", missing_since=timezone.now()),
        "queued": ImageFactory(cloud=cloud, image_id="queued", status="queued"),
        "mine": ImageFactory(
            cloud=cloud, image_id="mine", visibility="private", owner="project-mine"
        ),
        "theirs": ImageFactory(
            cloud=cloud, image_id="theirs", visibility="private", owner="project-theirs"
        ),
    }


def test_tenant_sees_enabled_active_present_images_it_may_boot(catalog, client_of_tenant):
    body = client_of_tenant.get("/api/v1/images").json()
    assert ids(body) == {"public", "community", "mine"}
    assert (body["count"], body["page_number"], body["page_size"]) == (3, 1, 20)
    assert set(body["images"][0]) == IMAGE_FIELDS


def test_image_fields(cloud, client_of_tenant):
    image = ImageFactory(
        cloud=cloud, name="Ubuntu 24.04", disk_format="raw", container_format="bare",
        size=2048, checksum="abc", min_disk=20, min_ram=1024, os_type="linux",
        description="LTS",
    )  # fmt: skip
    body = client_of_tenant.get(f"/api/v1/images/{image.image_id}").json()
    assert body == {
        "image_id": image.backend_id,
        "image_name": "Ubuntu 24.04",
        "image_diskformat": "raw",
        "image_containerformat": "bare",
        "image_status": "active",
        "min_disk": 20,
        "min_ram": 1024,
        "size": 2048,
        "checksum": "abc",
        "os_type": "linux",
        "os_distro": "ubuntu",
        "os_version": "24.04",
        "description": "LTS",
        "region": "region-one",
    }


@pytest.mark.parametrize("hidden", ["disabled", "missing", "queued", "theirs"])
def test_images_a_tenant_may_not_use_are_not_found(catalog, client_of_tenant, hidden):
    response = client_of_tenant.get(f"/api/v1/images/{hidden}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_private_image_is_seen_by_its_own_tenant_only(catalog, client_of_other_tenant):
    assert client_of_other_tenant.get("/api/v1/images/theirs").status_code == 200
    assert client_of_other_tenant.get("/api/v1/images/mine").status_code == 404


@pytest.mark.parametrize("caller", ["staff_client", "platform_client"])
def test_operators_see_every_image_with_portal_fields(catalog, caller, request, staff_user):
    client = request.getfixturevalue(caller)
    uploaded = ImageFactory(
        cloud=catalog["public"].cloud, origin=Image.Origin.UPLOADED, uploaded_by=staff_user
    )
    body = client.get("/api/v1/images").json()
    assert ids(body) == {*catalog, uploaded.image_id}
    assert set(body["images"][0]) == OPERATOR_FIELDS
    detail = client.get(f"/api/v1/images/{uploaded.image_id}").json()
    assert (detail["origin"], detail["uploaded_by"]) == ("uploaded", "operator")
    synced = client.get("/api/v1/images/public").json()
    assert (synced["origin"], synced["uploaded_by"], synced["enabled"]) == ("synced", None, True)
    assert client.get("/api/v1/images/missing").json()["missing"] is True


def test_filters_and_ordering(cloud, staff_client):
    other_cloud = CloudFactory(name="sim-2", region="region-two")
    ImageFactory(cloud=cloud, image_id="a", name="Ubuntu 24.04", os_type="linux")
    ImageFactory(cloud=cloud, image_id="b", name="Windows 2022", os_type="windows")
    ImageFactory(cloud=cloud, image_id="c", name="ubuntu 22.04", disk_format="raw", enabled=False)
    ImageFactory(cloud=other_cloud, image_id="d", name="CentOS", status="deactivated")

    def query(params):
        return ids(staff_client.get(f"/api/v1/images?{params}").json())

    assert query("name=ubuntu") == {"a", "c"}
    assert query("os_type=windows") == {"b"}
    assert query("disk_format=raw") == {"c"}
    assert query("status=deactivated") == {"d"}
    assert query("enabled=false") == {"c"}
    assert query("region=region-two") == {"d"}
    assert query("origin=uploaded") == set()
    names = [
        i["image_name"] for i in staff_client.get("/api/v1/images?ordering=-name").json()["images"]
    ]
    assert names == sorted(names, reverse=True)


def test_tenant_region_filter(cloud, client_of_tenant):
    other_cloud = CloudFactory(name="sim-2", region="region-two")
    ImageFactory(cloud=cloud, image_id="here")
    ImageFactory(cloud=other_cloud, image_id="there")
    body = client_of_tenant.get("/api/v1/images?region=region-two").json()
    assert [(i["image_id"], i["region"]) for i in body["images"]] == [("there", "region-two")]


@pytest.mark.parametrize("caller", ["client_of_tenant", "staff_client"])
def test_list_costs_the_same_number_of_queries_whatever_the_page_size(
    cloud, tenant, caller, request, staff_user, django_assert_max_num_queries
):
    client = request.getfixturevalue(caller)
    give_project(tenant, cloud, "project-mine")
    ImageFactory.create_batch(3, cloud=cloud)
    ImageFactory.create_batch(2, cloud=cloud, visibility="private", owner="project-mine")
    few = count_queries(client, "/api/v1/images?page_size=100")
    ImageFactory.create_batch(30, cloud=cloud, origin="uploaded", uploaded_by=staff_user)
    ImageFactory.create_batch(15, cloud=cloud, visibility="private", owner="project-mine")
    with django_assert_max_num_queries(few):
        body = client.get("/api/v1/images?page_size=100").json()
    assert body["count"] == 50


# ---- enable / disable ---------------------------------------------------------------


@pytest.mark.parametrize("caller", ["staff_client", "platform_client"])
def test_disable_then_enable(cloud, caller, request, client_of_tenant):
    client = request.getfixturevalue(caller)
    image = ImageFactory(cloud=cloud)

    response = client.post(f"/api/v1/images/{image.image_id}/disable")
    assert response.status_code == 200
    assert response.json()["enabled"] is False
    assert client_of_tenant.get(f"/api/v1/images/{image.image_id}").status_code == 404

    response = client.post(f"/api/v1/images/{image.image_id}/enable")
    assert (response.status_code, response.json()["enabled"]) == (200, True)
    assert client_of_tenant.get(f"/api/v1/images/{image.image_id}").status_code == 200


def test_enable_and_disable_are_idempotent(cloud, staff_client):
    image = ImageFactory(cloud=cloud, enabled=False)
    updated = Image.objects.get(pk=image.pk).updated
    assert staff_client.post(f"/api/v1/images/{image.image_id}/disable").status_code == 200
    assert Image.objects.get(pk=image.pk).updated == updated  # nothing written
    for _ in range(2):
        assert staff_client.post(f"/api/v1/images/{image.image_id}/enable").json()["enabled"]
    assert Image.objects.get(pk=image.pk).enabled


def test_tenant_cannot_enable_disable_or_sync(cloud, client_of_tenant):
    image = ImageFactory(cloud=cloud, enabled=False)
    for path in (f"{image.image_id}/enable", f"{image.image_id}/disable", "sync"):
        response = client_of_tenant.post(f"/api/v1/images/{path}")
        assert response.status_code == 403, path
    assert not Image.objects.get(pk=image.pk).enabled
    assert not Task.objects.exists()


def test_enable_unknown_image_is_not_found(cloud, staff_client):
    assert staff_client.post("/api/v1/images/nope/enable").status_code == 404


# ---- sync now ------------------------------------------------------------------------


def test_operator_queues_an_image_sync(cloud, staff_client):
    response = staff_client.post("/api/v1/images/sync", {"region": "region-one"}, format="json")
    assert response.status_code == 202
    task = Task.objects.get()
    assert (task.kind, task.target_id, task.requested_by) == (
        "images.sync", str(cloud.pk), "staff:operator",
    )  # fmt: skip
    assert response.json() == {
        "region": "region-one",
        "task": response.json()["task"] | {"task_id": str(task.pk), "state": "queued"},
    }


def test_sync_refuses_a_bad_wait_before_queueing(cloud, staff_client):
    response = staff_client.post("/api/v1/images/sync?wait=600")
    assert response.status_code == 400
    assert not Task.objects.exists()


def test_sync_without_any_cloud_is_not_found(db, staff_client):
    assert staff_client.post("/api/v1/images/sync").status_code == 404
