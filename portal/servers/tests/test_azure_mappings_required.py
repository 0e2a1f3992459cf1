"""On an Azure cloud a server request names only what the cloud maps (clouds.mappings):
a flavor, image, network or security group without a mapping is refused with 422
`mapping_missing` naming it, before any Task, server row or quota. Images the portal
uploaded to that cloud are Azure images already. The admin's wizard offers only what is
mapped."""

import pytest

from portal.clouds.models import AzureMapping
from portal.clouds.tests.factories import AzureCloudFactory
from portal.core.models import Task
from portal.images.models import Image
from portal.images.tests.factories import ImageFactory
from portal.network.tests.factories import NetworkFactory
from portal.servers import create_options
from portal.servers.models import Server
from portal.servers.server_templates.models import ServerTemplate
from portal.servers.tests.factories import FlavorFactory, ServerFactory
from portal.servers.tests.test_instances import LIST, detail
from portal.tenants.models import QuotaReservation, TenantIdentity

pytestmark = pytest.mark.django_db

GROUP = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/portal-rg"
SUBNET = f"{GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-1/subnets/web"
NSG = f"{GROUP}/providers/Microsoft.Network/networkSecurityGroups/web-nsg"


@pytest.fixture
def azure():
    return AzureCloudFactory(is_default=True)


@pytest.fixture
def catalog(azure, tenant):
    """An Azure cloud's mirrored flavors, image and network, the tenant ready there."""
    TenantIdentity.objects.create(
        tenant=tenant, cloud=azure, domain_name=tenant.tenant_id, project_name=tenant.tenant_id,
        username=tenant.tenant_id, role_name=tenant.tenant_id, password="unused",
        domain_id=GROUP, project_id=f"{GROUP[:-9]}{tenant.tenant_id}",
        state=TenantIdentity.State.READY,
    )  # fmt: skip
    return {
        "small": FlavorFactory(cloud=azure, backend_id="small", name="small", vcpus=1, ram=2048),
        "large": FlavorFactory(cloud=azure, backend_id="large", name="large", vcpus=2, ram=4096),
        "image": ImageFactory(cloud=azure, backend_id="ubuntu", name="ubuntu", min_disk=1),
        "network": NetworkFactory(cloud=azure, backend_id="web-net", name="web-net"),
    }


def mapped(azure, *kinds_and_names):
    refs = {
        "flavor": "Standard_B2s",
        "image": "Canonical:ubuntu-24_04-lts:server:latest",
        "network": SUBNET,
        "security_group": NSG,
    }
    for kind, name in kinds_and_names:
        AzureMapping.objects.create(cloud=azure, kind=kind, name=name, azure_ref=refs[kind])


def body(catalog, **changes):
    return {
        "flavor_ref": "small",
        "image_ref": catalog["image"].image_id,
        "network_uuid": "web-net",
        "instance_name": "web-1",
        **changes,
    }


def nothing_written():
    return not (
        Task.objects.exists() or Server.objects.exists() or QuotaReservation.objects.exists()
    )


def assert_missing(answer, kind, name, field):
    assert answer.status_code == 422, answer.content
    error = answer.json()["error"]
    assert error["code"] == "mapping_missing"
    assert f"the {kind} {name}" in error["message"]
    assert field in error["fields"]


ALL = [("flavor", "small"), ("image", "ubuntu"), ("network", "web-net")]


@pytest.mark.parametrize(
    ("left_out", "field"),
    [
        (("flavor", "small"), "flavor_ref"),
        (("image", "ubuntu"), "image_ref"),
        (("network", "web-net"), "network_uuid"),
    ],
)
def test_a_server_naming_an_unmapped_object_is_refused_before_anything(
    client_of_tenant, azure, catalog, left_out, field
):
    mapped(azure, *[pair for pair in ALL if pair != left_out])

    answer = client_of_tenant.post(LIST, body(catalog), format="json")

    assert_missing(answer, *left_out, field)
    assert nothing_written()


def test_an_unmapped_security_group_is_refused(client_of_tenant, azure, catalog):
    mapped(azure, *ALL, ("security_group", "web"))

    answer = client_of_tenant.post(LIST, body(catalog, security_group_name=["db"]), format="json")

    assert_missing(answer, "security group", "db", "security_group_name")
    assert nothing_written()


def test_an_image_the_portal_uploaded_there_needs_no_mapping(client_of_tenant, azure, catalog):
    mapped(azure, ("flavor", "small"), ("network", "web-net"))
    uploaded = ImageFactory(cloud=azure, origin=Image.Origin.UPLOADED, min_disk=1)

    # Accepted; its job is queued when the test's transaction commits, which it never does.
    answer = client_of_tenant.post(LIST, body(catalog, image_ref=uploaded.image_id), format="json")

    assert answer.status_code == 202, answer.content


def test_a_resize_to_an_unmapped_flavor_is_refused(client_of_tenant, tenant, azure, catalog):
    mapped(azure, ("flavor", "small"))
    server = ServerFactory(cloud=azure, tenant=tenant, flavor_ref="small")

    answer = client_of_tenant.post(
        detail(server.instance_id, "change-flavor"), {"flavor_ref": "large"}, format="json"
    )

    assert_missing(answer, "flavor", "large", "flavor_ref")
    server.refresh_from_db()
    assert (server.locked, Task.objects.exists()) == (False, False)


def test_a_template_on_azure_names_only_mapped_objects(platform_client, azure, catalog):
    mapped(azure, ("image", "ubuntu"), ("network", "web-net"))
    template = {
        "template_name": "web",
        "image_ref": catalog["image"].image_id,
        "flavor_ref": "small",
        "network_uuid": "web-net",
    }

    answer = platform_client.post("/api/v1/server-templates", template, format="json")

    assert_missing(answer, "flavor", "small", "flavor_ref")
    assert not ServerTemplate.objects.exists()


def test_the_wizard_offers_only_what_is_mapped(azure, catalog, tenant):
    mapped(azure, ("flavor", "small"), ("network", "web-net"), ("security_group", "web"))

    assert [f.backend_id for f in create_options.flavors_for(tenant, azure)] == ["small"]
    assert list(create_options.images_for(tenant)) == []  # the image is not mapped
    assert [n.backend_id for n in create_options.networks_for(tenant, azure)] == ["web-net"]
    assert create_options.security_group_names(tenant, azure) == ["web"]
    mapped(azure, ("image", "ubuntu"))
    assert list(create_options.images_for(tenant)) == [catalog["image"]]
