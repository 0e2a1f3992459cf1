"""The admin's "Create server" wizard: every step offers only what the tenant may use,
refuses anything else as an unknown choice, and ends in services.create_server, whose
refusal is shown on the step it concerns with nothing created and no quota held."""

import pytest

from portal.core.models import Task
from portal.images.models import Image
from portal.network.tests.factories import NetworkFactory, SecurityGroupFactory
from portal.servers import services
from portal.servers.models import Server
from portal.servers.tests.factories import FlavorFactory, KeyPairFactory
from portal.servers.tests.wizard import (
    CREATE,
    choices,
    post_step,
    start,
    step_shown,
    walk,
)
from portal.tenants import quotas
from portal.tenants.models import QuotaReservation
from portal.tenants.quotas import quota_of, update_quota

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


@pytest.fixture
def picks(catalog, identity):
    """The demo catalog's choices, as the steps' pickers name them."""
    return {
        "source": f"image:{catalog['images']['cirros-0.6.2']}",
        "flavor": catalog["flavor_rows"]["m1.small"].pk,
        "network": catalog["network_id"],
    }


def test_the_first_step_lists_the_tenants_images_once_a_tenant_is_chosen(
    admin_client, catalog, tenant, identity
):
    page = admin_client.get(CREATE)
    assert page.status_code == 200
    assert "id_tenant_picker" in page.content.decode()
    assert not page.context["form"].images

    page = start(admin_client, tenant)
    offered = {image.name for image in page.context["form"].images}
    assert "cirros-0.6.2" in offered
    assert step_shown(page) == "source"


def test_disabled_and_other_projects_private_images_are_not_offered(
    admin_client, catalog, tenant, identity, cloud
):
    cirros = Image.objects.get(image_id=catalog["images"]["cirros-0.6.2"])
    Image.objects.filter(pk=cirros.pk).update(enabled=False)
    Image.objects.filter(name="ubuntu-24.04").update(visibility="private", owner="someone-else")
    page = start(admin_client, tenant)
    offered = {image.name for image in page.context["form"].images}
    assert "cirros-0.6.2" not in offered
    assert "ubuntu-24.04" not in offered

    source = f"image:{cirros.image_id}"
    response = post_step(admin_client, "source", tenant=tenant.pk, instance_name="x", source=source)
    assert step_shown(response) == "source"
    assert "source" in response.context["form"].errors


def test_a_server_is_created_through_every_step(admin_client, picks, tenant, identity, cloud):
    review = walk(
        admin_client, tenant, **picks,
        access={"security_groups": ["default"]},
        advanced={"system_disk_size": "5", "data_disk_sizes": "10, 20"},
    )  # fmt: skip
    assert review.context["summary"]["network_uuid"].backend_id == picks["network"]
    assert "m1.small" in review.content.decode()

    response = post_step(admin_client, "review", admin_pass="s3cret-pass")

    server = Server.objects.get(name="web-1")  # as typed: the message says it so too
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/servers/server/{server.pk}/change/")
    assert (server.tenant, server.flavor_name, server.system_disk_size) == (tenant, "m1.small", 5)
    assert server.security_group_names == ["default"]
    assert [volume.size for volume in server.data_volumes.all()] == [10, 20]
    assert Task.objects.get(target_id=server.instance_id).kind == "server.create"


def test_the_admin_password_goes_to_the_service_and_never_into_the_session(
    admin_client, picks, tenant, cloud, monkeypatch
):
    walk(admin_client, tenant, **picks)
    sent = []
    real = services.create_server

    def spy(tenant, request, **kwargs):
        sent.append(request.admin_pass)
        return real(tenant, request, **kwargs)

    monkeypatch.setattr(services, "create_server", spy)
    # Refused (the cloud was disabled meanwhile): the wizard keeps its steps, saved in
    # the session, but not the password.
    type(cloud).objects.filter(pk=cloud.pk).update(enabled=False)
    post_step(admin_client, "review", admin_pass="s3cret-pass")
    assert sent == ["s3cret-pass"]
    saved = str(dict(admin_client.session))
    assert "instance_name" in saved
    assert "s3cret-pass" not in saved


def test_the_flavor_step_shows_the_quota_each_flavor_would_use(
    admin_client, picks, catalog, tenant
):
    update_quota(tenant, {"cores": 3, "instances": -1}, actor="test")
    start(admin_client, tenant)
    page = post_step(
        admin_client, "source", tenant=tenant.pk, instance_name="x", source=picks["source"]
    )
    rows = {row.flavor.name: row for row in page.context["form"].rows}
    assert rows["m1.medium"].fits
    assert not rows["m1.large"].fits
    large = {use.resource: (use.needs, use.remaining) for use in rows["m1.large"].uses}
    assert large == {"instances": (1, None), "cores": (4, 3), "ram": (8192, quota_of(tenant).ram)}
    html = page.content.decode()
    assert f'value="{catalog["flavor_rows"]["m1.large"].pk}" disabled' in html

    refused = post_step(admin_client, "flavor", flavor=catalog["flavor_rows"]["m1.large"].pk)
    assert step_shown(refused) == "flavor"
    assert "cores" in str(refused.context["form"].errors["flavor"])


def test_a_flavor_of_another_tenant_is_an_unknown_choice(
    admin_client, picks, tenant, other_tenant, cloud
):
    theirs = FlavorFactory(cloud=cloud, is_public=False, shared_with=[other_tenant])
    start(admin_client, tenant)
    page = post_step(
        admin_client, "source", tenant=tenant.pk, instance_name="x", source=picks["source"]
    )
    assert str(theirs.pk) not in choices(page, "flavor")
    refused = post_step(admin_client, "flavor", flavor=theirs.pk)
    assert step_shown(refused) == "flavor"
    assert "not one of the available choices" in str(refused.context["form"].errors)


def test_the_network_step_offers_the_tenants_and_shared_networks_only(
    admin_client, picks, tenant, identity, cloud
):
    own = NetworkFactory(cloud=cloud, project_id=identity.project_id, status="ACTIVE")
    theirs = NetworkFactory(cloud=cloud, project_id="another-project", status="ACTIVE")
    down = NetworkFactory(cloud=cloud, project_id=identity.project_id, status="DOWN")
    start(admin_client, tenant)
    post_step(admin_client, "source", tenant=tenant.pk, instance_name="x", source=picks["source"])
    page = post_step(admin_client, "flavor", flavor=picks["flavor"])
    offered = choices(page, "network_uuid")
    assert {own.backend_id, picks["network"]} <= offered
    assert not {theirs.backend_id, down.backend_id} & offered

    refused = post_step(admin_client, "network", network_uuid=theirs.backend_id)
    assert step_shown(refused) == "network"
    assert "network_uuid" in refused.context["form"].errors


def test_security_groups_and_key_pairs_are_the_tenants(
    admin_client, picks, tenant, identity, cloud, other_tenant
):
    SecurityGroupFactory(cloud=cloud, project_id=identity.project_id, name="web")
    SecurityGroupFactory(cloud=cloud, project_id="another-project", name="theirs")
    KeyPairFactory(tenant=tenant, cloud=cloud, name="mine")
    KeyPairFactory(tenant=other_tenant, cloud=cloud, name="theirs")
    page = walk_to(admin_client, tenant, picks, "access")
    assert choices(page, "security_groups") == {"default", "web"}
    assert choices(page, "key_name") == {"mine"}
    for fields in ({"security_groups": ["theirs"]}, {"key_name": "theirs"}):
        refused = post_step(admin_client, "access", **fields)
        assert step_shown(refused) == "access"
        assert refused.context["form"].errors
    assert step_shown(post_step(admin_client, "access", security_groups=["web"], key_name="mine"))
    review = post_step(admin_client, "advanced")
    assert review.context["summary"]["security_groups"] == ["web"]
    assert review.context["summary"]["key_name"] == "mine"


def walk_to(client, tenant, picks, step):
    """The page of `step`, every step before it posted with the demo choices."""
    start(client, tenant)
    posts = [
        ("source", {"tenant": tenant.pk, "instance_name": "x", "source": picks["source"]}),
        ("flavor", {"flavor": picks["flavor"]}),
        ("network", {"network_uuid": picks["network"]}),
        ("access", {}),
        ("advanced", {}),
    ]
    for name, fields in posts:
        response = post_step(client, name, **fields)
        if step_shown(response) == step:
            return response
    raise AssertionError(f"never reached {step}")


def test_the_advanced_step_offers_the_clouds_zones_and_hosts(admin_client, picks, tenant):
    page = walk_to(admin_client, tenant, picks, "advanced")
    assert "nova" in choices(page, "availability_zone")
    assert choices(page, "hypervisor_hostname")
    refused = post_step(admin_client, "advanced", availability_zone="az9")
    assert "availability_zone" in refused.context["form"].errors
    refused = post_step(admin_client, "advanced", data_disk_sizes="10, big")
    assert "whole numbers" in refused.content.decode()


def nothing_was_created(tenant):
    assert not Server.objects.exists()
    assert not Task.objects.filter(kind="server.create").exists()
    assert not QuotaReservation.objects.exists()
    assert quotas.usage_of(tenant)["instances"] == 0


def test_a_refusal_of_the_service_shows_on_its_step_and_creates_nothing(
    admin_client, picks, tenant, catalog
):
    walk(admin_client, tenant, **picks, advanced={"system_disk_size": "5"})
    # The image's minimum disk grew meanwhile: only the service knows (the system disk).
    Image.objects.filter(image_id=catalog["images"]["cirros-0.6.2"]).update(min_disk=10)

    response = post_step(admin_client, "review")

    assert response.status_code == 200
    assert step_shown(response) == "advanced"
    errors = response.context["form"].errors
    assert "at least 10 GB" in str(errors["system_disk_size"])
    nothing_was_created(tenant)


def test_a_quota_refusal_of_the_service_shows_on_the_step_of_its_resource(
    admin_client, picks, tenant
):
    walk(admin_client, tenant, **picks, advanced={"data_disk_sizes": "10"})
    update_quota(tenant, {"volumes": 1}, actor="test")

    response = post_step(admin_client, "review")

    assert step_shown(response) == "advanced"
    assert "volumes" in str(response.context["form"].non_field_errors())
    nothing_was_created(tenant)


def test_a_cloud_disabled_meanwhile_is_refused_on_the_first_step(
    admin_client, picks, tenant, cloud
):
    walk(admin_client, tenant, **picks)
    type(cloud).objects.filter(pk=cloud.pk).update(enabled=False)

    response = post_step(admin_client, "review")

    assert step_shown(response) == "source"
    assert "region" in str(response.context["form"].non_field_errors())
    nothing_was_created(tenant)


def test_a_flavor_over_quota_by_now_is_refused_when_the_steps_are_checked_again(
    admin_client, picks, tenant
):
    walk(admin_client, tenant, **picks)
    update_quota(tenant, {"instances": 0}, actor="test")

    response = post_step(admin_client, "review")

    assert step_shown(response) == "flavor"
    assert "instances" in response.content.decode()
    nothing_was_created(tenant)


def test_the_first_step_without_a_tenant_says_to_choose_one(admin_client, picks):
    response = post_step(admin_client, "source", instance_name="x", source=picks["source"])
    assert step_shown(response) == "source"
    assert "Choose a tenant first." in response.content.decode()
    assert not Server.objects.exists()
