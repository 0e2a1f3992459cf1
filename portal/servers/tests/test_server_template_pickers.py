"""The server template admin form: a picker for every reference (image, flavor, network,
security groups), never a typed id; a value it did not offer is refused on its field."""

import pytest

from portal.network.tests.factories import NetworkFactory, SecurityGroupFactory
from portal.servers.server_templates.models import ServerTemplate
from portal.servers.tests.factories import FlavorFactory, make_identity

pytestmark = pytest.mark.django_db

ADD = "/admin/servers/servertemplate/add/"


@pytest.fixture
def offered(catalog, cloud, tenant, identity, other_tenant):
    """Beside the demo catalog's: a shared network, one of the tenant's own, one of a
    project no tenant has; groups of two tenants (one name in both) and of that project."""
    theirs = make_identity(other_tenant, cloud)
    for project_id in (identity.project_id, theirs.project_id):
        SecurityGroupFactory(cloud=cloud, project_id=project_id, name="web")
    SecurityGroupFactory(cloud=cloud, project_id="nobodys", name="hidden")
    return {
        "shared": NetworkFactory(cloud=cloud, name="shared-net"),
        "own": NetworkFactory(cloud=cloud, name="own-net", project_id=identity.project_id),
        "stray": NetworkFactory(cloud=cloud, name="stray-net", project_id="nobodys"),
    }


def form_of(page):
    return page.context["adminform"].form


def test_the_template_form_offers_pickers(admin_client, offered, tenant, other_tenant, cloud):
    disabled = FlavorFactory(cloud=cloud, enabled=False)
    form = form_of(admin_client.get(ADD))
    networks = dict(form.fields["network_id"].choices)
    assert {offered["shared"].backend_id, offered["own"].backend_id} <= set(networks)
    assert offered["stray"].backend_id not in networks
    assert tenant.tenant_id in networks[offered["own"].backend_id]
    groups = dict(form.fields["security_groups"].choices)
    assert set(groups) == {"default", "web"}
    assert other_tenant.tenant_id in groups["web"]
    assert tenant.tenant_id in groups["web"]
    assert disabled not in form.fields["flavor"].queryset
    html = admin_client.get(ADD).content.decode()
    assert 'type="checkbox" name="security_groups"' in html
    assert '<select name="network_id"' in html


def test_a_network_or_group_not_offered_is_refused_on_its_field(
    admin_client, offered, cloud, catalog_template
):
    template = catalog_template(name="web")
    data = {
        "name": "copy", "image": template.image.pk, "flavor": template.flavor.pk,
        "system_disk_size": 20, "system_disk_type": "",
        "network_id": offered["stray"].backend_id, "security_groups": ["hidden"],
    }  # fmt: skip
    form = form_of(admin_client.post(ADD, data))
    assert set(form.errors) == {"network_id", "security_groups"}
    assert not ServerTemplate.objects.filter(name="copy").exists()

    data.update(network_id=offered["own"].backend_id, security_groups=["default", "web"])
    response = admin_client.post(ADD, data)
    assert response.status_code == 302, form_of(response).errors
    assert ServerTemplate.objects.get(name="copy").security_groups == ["default", "web"]


def test_a_template_keeps_its_flavor_after_the_flavor_is_disabled(
    admin_client, offered, catalog_template
):
    template = catalog_template(name="web")
    type(template.flavor).objects.filter(pk=template.flavor.pk).update(enabled=False)
    page = admin_client.get(f"/admin/servers/servertemplate/{template.pk}/change/")
    assert template.flavor in form_of(page).fields["flavor"].queryset
