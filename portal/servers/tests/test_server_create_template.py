"""The admin's "Create server" page prefilled from a server template (seed 003's 模板)."""

import pytest

from portal.images.models import Image
from portal.network.tests.factories import SecurityGroupFactory
from portal.servers.models import Server

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

CREATE = "/admin/servers/server/create/"


@pytest.fixture
def template(catalog_template, identity):
    # The tenant's own group "web", as the network pull mirrors it.
    SecurityGroupFactory(cloud=identity.cloud, project_id=identity.project_id, name="web")
    return catalog_template(name="web", system_disk_size=7, security_groups=["default", "web"])


def test_a_template_prefills_the_create_form(admin_client, template, tenant, identity):
    page = admin_client.get(CREATE)
    assert "template-picker" in page.content.decode()
    assert page.context["form"].initial == {}
    page = admin_client.get(CREATE, {"template": template.template_id})
    form = page.context["form"]
    assert form.initial == {
        "template": template.template_id,
        "flavor": template.flavor_id,
        "image": template.image.image_id,
        "network_uuid": template.network_id,
        "system_disk_size": 7,
        "system_disk_type": "",
        "security_groups": "default, web",
    }
    html = page.content.decode()
    assert 'value="default, web"' in html
    assert f'<option value="{template.flavor_id}" selected>' in html

    answer = admin_client.post(
        CREATE, {**form.initial, "tenant": tenant.pk, "instance_name": "from-template"}
    )
    assert answer.status_code == 302
    server = Server.objects.get(name="from-template")
    assert (server.flavor, server.image, server.system_disk_size) == (
        template.flavor, template.image, 7
    )  # fmt: skip
    assert server.security_group_names == ["default", "web"]


def test_an_unknown_template_prefills_nothing(admin_client, catalog):
    page = admin_client.get(CREATE, {"template": "no-such-template"})
    assert page.status_code == 200
    assert page.context["form"].initial == {}


def test_a_template_stays_usable_after_its_image_is_disabled(
    admin_client, template, tenant, identity
):
    """Seed 003: disabling an image leaves the templates made from it usable."""
    Image.objects.filter(pk=template.image.pk).update(enabled=False)
    form = admin_client.get(CREATE, {"template": template.template_id}).context["form"]
    answer = admin_client.post(
        CREATE, {**form.initial, "tenant": tenant.pk, "instance_name": "kept"}
    )
    assert answer.status_code == 302
    assert Server.objects.get(name="kept").image == template.image


def test_a_disabled_image_without_its_template_is_refused(admin_client, template, tenant, identity):
    Image.objects.filter(pk=template.image.pk).update(enabled=False)
    initial = admin_client.get(CREATE, {"template": template.template_id}).context["form"].initial
    fields = {key: value for key, value in initial.items() if key != "template"}
    page = admin_client.post(CREATE, {**fields, "tenant": tenant.pk, "instance_name": "no"})
    assert page.status_code == 200
    assert "disabled" in page.content.decode()
    assert not Server.objects.filter(name="no").exists()
