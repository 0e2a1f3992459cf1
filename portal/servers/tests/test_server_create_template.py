"""The "Create server" wizard from a server template (seed 003's 模板): it fills in the
later steps, and keeps its image usable after the image is disabled."""

import pytest

from portal.images.models import Image
from portal.network.tests.factories import SecurityGroupFactory
from portal.servers.models import Server
from portal.servers.tests.wizard import post_step, start, step_shown, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


def test_a_template_fills_in_the_later_steps(admin_client, catalog_template, tenant, identity):
    SecurityGroupFactory(cloud=identity.cloud, project_id=identity.project_id, name="web")
    template = catalog_template(name="web", system_disk_size=7, security_groups=["default", "web"])
    start(admin_client, tenant)
    flavor = post_step(
        admin_client, "source",
        tenant=tenant.pk, instance_name="from-template", source=f"template:{template.template_id}",
    )  # fmt: skip
    assert flavor.context["form"]["flavor"].value() == template.flavor_id
    network = post_step(admin_client, "flavor", flavor=template.flavor_id)
    assert network.context["form"]["network_uuid"].value() == template.network_id
    access = post_step(admin_client, "network", network_uuid=template.network_id)
    assert access.context["form"]["security_groups"].value() == ["default", "web"]
    post_step(admin_client, "access", security_groups=["default", "web"])
    post_step(admin_client, "advanced", system_disk_size="7")
    assert post_step(admin_client, "review").status_code == 302
    server = Server.objects.get(name="from-template")
    assert (server.image, server.system_disk_size) == (template.image, 7)
    assert server.security_group_names == ["default", "web"]


def test_a_template_stays_usable_after_its_image_is_disabled(
    admin_client, catalog_template, tenant, identity
):
    """Seed 003: disabling an image leaves the templates made from it usable."""
    template = catalog_template(name="kept", system_disk_size=5)
    Image.objects.filter(pk=template.image.pk).update(enabled=False)
    walk(
        admin_client, tenant, name="kept", source=f"template:{template.template_id}",
        flavor=template.flavor_id, network=template.network_id,
    )  # fmt: skip
    assert post_step(admin_client, "review").status_code == 302
    assert Server.objects.get(name="kept").image == template.image


def test_another_tenants_template_is_an_unknown_choice(
    admin_client, catalog_template, tenant, identity, other_tenant, catalog
):
    """A template on a flavor shared with another tenant only is not offered."""
    flavor = catalog["flavor_rows"]["m1.small"]
    type(flavor).objects.filter(pk=flavor.pk).update(is_public=False)
    flavor.shared_with.set([other_tenant])
    template = catalog_template(name="theirs")
    page = start(admin_client, tenant)
    assert template not in page.context["form"].templates
    refused = post_step(
        admin_client, "source",
        tenant=tenant.pk, instance_name="x", source=f"template:{template.template_id}",
    )  # fmt: skip
    assert step_shown(refused) == "source"
    assert "source" in refused.context["form"].errors
