import pytest
from django.utils import timezone

from portal.clouds.tests.factories import CloudFactory
from portal.images.models import Image
from portal.images.tests.factories import ImageFactory
from portal.network.tests.factories import NetworkFactory
from portal.servers.server_templates.models import ServerTemplate
from portal.servers.tests.factories import FlavorFactory, ServerTemplateFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/server-templates"
FIELDS = {
    "template_id", "template_name", "region", "image_ref", "image_name", "image_enabled",
    "flavor_ref", "system_disk", "network_uuid", "security_group_name", "created_by",
    "created_time", "updated_time",
}  # fmt: skip


@pytest.fixture
def parts(cloud):
    NetworkFactory(cloud=cloud, backend_id="net-1")
    return {
        "image": ImageFactory(cloud=cloud, min_disk=20, size=3 * 1024**3),
        "flavor": FlavorFactory(cloud=cloud, disk=30),
    }


def body(parts, **changes):
    return {
        "template_name": "web",
        "image_ref": parts["image"].image_id,
        "flavor_ref": parts["flavor"].backend_id,
        "system_disk": {"volume_type": "ssd", "size_in_g": 50},
        "network_uuid": "net-1",
        "security_group_name": ["default", "web"],
        **changes,
    }


def test_operator_creates_lists_reads_and_deletes(cloud, staff_client, parts):
    response = staff_client.post(URL, body(parts), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) == FIELDS
    assert created["system_disk"] == {"volume_type": "ssd", "size_in_g": 50}
    assert (created["region"], created["created_by"]) == (cloud.region, "staff:operator")
    template_id = created["template_id"]
    listed = staff_client.get(URL).json()
    assert [t["template_id"] for t in listed["server_templates"]] == [template_id]
    assert staff_client.get(f"{URL}/{template_id}").json()["security_group_name"] == [
        "default", "web",
    ]  # fmt: skip
    assert staff_client.delete(f"{URL}/{template_id}").status_code == 204
    assert not ServerTemplate.objects.exists()


def test_platform_key_may_manage_templates(cloud, platform_client, parts):
    assert platform_client.post(URL, body(parts), format="json").status_code == 201


def test_system_disk_defaults_to_what_image_and_flavor_need(cloud, staff_client, parts):
    fields = body(parts)
    del fields["system_disk"]
    created = staff_client.post(URL, fields, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["system_disk"]["size_in_g"] == 30


def test_disabled_image_is_refused_with_422(cloud, staff_client, parts):
    Image.objects.filter(pk=parts["image"].pk).update(enabled=False)
    response = staff_client.post(URL, body(parts), format="json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "image_disabled"
    assert not ServerTemplate.objects.exists()


@pytest.mark.parametrize("change", [{"status": "queued"}, {"missing_since": timezone.now()}])
def test_unusable_image_is_refused_with_422(cloud, staff_client, parts, change):
    Image.objects.filter(pk=parts["image"].pk).update(**change)
    assert staff_client.post(URL, body(parts), format="json").status_code == 422


def test_template_survives_its_image_being_disabled(cloud, staff_client, parts):
    template_id = staff_client.post(URL, body(parts), format="json").json()["template_id"]
    assert staff_client.post(f"/api/v1/images/{parts['image'].image_id}/disable").status_code == 200
    shown = staff_client.get(f"{URL}/{template_id}").json()
    assert (shown["image_ref"], shown["image_enabled"]) == (parts["image"].image_id, False)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"system_disk": {"size_in_g": 25}}, "system_disk_size"),  # flavor needs 30
        ({"image_ref": "nope"}, "image_ref"),
        ({"flavor_ref": "nope"}, "flavor_ref"),
        ({"template_name": "x" * 256}, "template_name"),
        ({"security_group_name": [""]}, "security_group_name"),
        ({"network_uuid": ""}, "network_uuid"),
        ({"network_uuid": "not-in-the-mirror"}, "network_uuid"),
    ],
)
def test_bad_input_is_refused(cloud, staff_client, parts, changes, field):
    response = staff_client.post(URL, body(parts, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_system_disk_must_hold_the_image(cloud, staff_client):
    image = ImageFactory(cloud=cloud, min_disk=0, size=50 * 1024**3 + 1)
    flavor = FlavorFactory(cloud=cloud, disk=10)
    parts = {"image": image, "flavor": flavor}
    response = staff_client.post(URL, body(parts, system_disk={"size_in_g": 50}), format="json")
    assert response.status_code == 400


def test_flavor_of_another_cloud_is_refused(cloud, staff_client, parts):
    other = FlavorFactory()
    response = staff_client.post(URL, body(parts, flavor_ref=other.backend_id), format="json")
    assert response.status_code == 400
    assert "flavor_ref" in response.json()["error"]["fields"]


def test_duplicate_name_is_a_conflict(cloud, staff_client, parts):
    ServerTemplateFactory(name="web", image=parts["image"], flavor=parts["flavor"])
    assert staff_client.post(URL, body(parts), format="json").status_code == 409


def test_tenants_may_not_use_templates(cloud, client_of_tenant, parts):
    template = ServerTemplateFactory(image=parts["image"], flavor=parts["flavor"])
    assert client_of_tenant.get(URL).status_code == 403
    assert client_of_tenant.get(f"{URL}/{template.template_id}").status_code == 403
    assert client_of_tenant.post(URL, body(parts), format="json").status_code == 403
    assert client_of_tenant.delete(f"{URL}/{template.template_id}").status_code == 403


def test_unknown_template_is_not_found(cloud, staff_client):
    assert staff_client.get(f"{URL}/nope").status_code == 404


def test_list_costs_a_constant_number_of_queries(
    cloud, staff_client, parts, django_assert_max_num_queries
):
    ServerTemplateFactory.create_batch(15, image=parts["image"], flavor=parts["flavor"])
    with django_assert_max_num_queries(6):
        assert len(staff_client.get(URL).json()["server_templates"]) == 15


def test_image_used_by_a_template_cannot_be_deleted(cloud, staff_client, run_commit_hooks):
    image = ImageFactory(cloud=cloud, origin="uploaded", upload_state="active")
    ServerTemplateFactory(name="uses it", image=image)
    response = staff_client.delete(f"/api/v1/images/{image.image_id}")
    assert response.status_code == 409
    assert "uses it" in response.json()["error"]["message"]


# ---- admin --------------------------------------------------------------------------


def admin_form(parts, **changes):
    return {
        "name": "db", "image": parts["image"].pk, "flavor": parts["flavor"].pk,
        "system_disk_size": 40, "system_disk_type": "", "network_id": "net-1",
        "security_groups": ["default"], **changes,
    }  # fmt: skip


def test_admin_creates_a_template_through_the_service(cloud, admin_client, parts):
    response = admin_client.post("/admin/servers/servertemplate/add/", admin_form(parts))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert ServerTemplate.objects.get().created_by == "staff:operator"
    assert admin_client.get("/admin/servers/servertemplate/").status_code == 200


def test_admin_form_shows_why_a_template_is_refused(cloud, admin_client, parts):
    Image.objects.filter(pk=parts["image"].pk).update(enabled=False)
    response = admin_client.post("/admin/servers/servertemplate/add/", admin_form(parts))
    assert response.status_code == 200
    assert "disabled" in str(response.context["adminform"].form.errors)
    Image.objects.filter(pk=parts["image"].pk).update(enabled=True)
    response = admin_client.post(
        "/admin/servers/servertemplate/add/", admin_form(parts, system_disk_size=5)
    )
    assert "system_disk_size" in response.context["adminform"].form.errors
    assert not ServerTemplate.objects.exists()


def test_admin_edits_a_template_whose_image_was_disabled(cloud, admin_client, parts):
    template = ServerTemplateFactory(image=parts["image"], flavor=parts["flavor"])
    Image.objects.filter(pk=parts["image"].pk).update(enabled=False)
    url = f"/admin/servers/servertemplate/{template.pk}/change/"
    response = admin_client.post(url, admin_form(parts, name="renamed"))
    assert response.status_code == 302
    assert ServerTemplate.objects.get().name == "renamed"


def test_admin_form_shows_a_network_of_another_region_on_its_field(cloud, admin_client, parts):
    """The picker lists every region's networks; the service takes only the image's."""
    elsewhere = NetworkFactory(cloud=CloudFactory(name="other", region="region-two"))
    response = admin_client.post(
        "/admin/servers/servertemplate/add/", admin_form(parts, network_id=elsewhere.backend_id)
    )
    assert response.status_code == 200
    assert "network sync" in str(response.context["adminform"].form.errors["network_id"])
    assert not ServerTemplate.objects.exists()
