"""`/clouds/{cloud_id}/azure-mappings` (operators) and the admin's mapping pages: what an
Azure cloud's portal names are in Azure, each Azure reference checked by kind."""

import pytest
from django.urls import reverse

from portal.clouds.mappings import azure_ref_problem
from portal.clouds.models import AzureMapping
from portal.clouds.tests.factories import AzureCloudFactory
from portal.clouds.tests.test_azure_clouds import admin_form

pytestmark = pytest.mark.django_db

GROUP = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/portal-rg"
SUBNET = f"{GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-1/subnets/web"
NSG = f"{GROUP}/providers/Microsoft.Network/networkSecurityGroups/web-nsg"
IMAGE = f"{GROUP}/providers/Microsoft.Compute/images/ubuntu-2404"


def mappings_url(cloud):
    return reverse("api:azure-mapping-list", kwargs={"cloud_id": cloud.pk})


def mapping_url(mapping):
    kwargs = {"cloud_id": mapping.cloud_id, "mapping_id": mapping.pk}
    return reverse("api:azure-mapping-detail", kwargs=kwargs)


@pytest.fixture
def azure():
    return AzureCloudFactory()


@pytest.mark.parametrize(
    ("kind", "azure_ref"),
    [
        ("flavor", "Standard_B2s"),
        ("flavor", "Standard_DS1_v2"),
        ("image", IMAGE),
        ("image", f"{GROUP}/providers/Microsoft.Compute/galleries/g1/images/web/versions/1.0.0"),
        ("image", "Canonical:ubuntu-24_04-lts:server:latest"),
        ("image", f"{GROUP}/providers/Microsoft.Compute/disks/web-os"),  # boot from it
        ("network", SUBNET),
        ("network", SUBNET.lower()),  # ARM ids are case-insensitive
        ("security_group", NSG),
    ],
)
def test_azure_references_of_each_kind(kind, azure_ref):
    assert azure_ref_problem(kind, azure_ref) == ""


@pytest.mark.parametrize(
    ("kind", "azure_ref"),
    [
        ("flavor", "m1.small"),
        ("flavor", SUBNET),
        ("image", "Canonical:ubuntu:server"),  # the version is missing
        ("image", f"{GROUP}/providers/Microsoft.Compute/snapshots/os"),
        ("network", f"{GROUP}/providers/Microsoft.Compute/disks/os"),
        ("network", f"{GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-1"),
        ("network", NSG),
        ("security_group", SUBNET),
        ("security_group", "web-nsg"),
    ],
)
def test_references_that_cannot_stand_for_their_kind(kind, azure_ref):
    assert azure_ref_problem(kind, azure_ref)


def test_an_operator_maps_lists_changes_and_deletes(platform_client, azure):
    made = platform_client.post(
        mappings_url(azure), {"kind": "flavor", "name": "m1.small", "azure_ref": "Standard_B2s"}
    )
    assert made.status_code == 201, made.content
    mapping = AzureMapping.objects.get()
    assert made.json()["mapping_id"] == str(mapping.pk)
    assert made.json()["cloud_id"] == str(azure.pk)

    listed = platform_client.get(mappings_url(azure), {"kind": "flavor"}).json()
    assert listed["count"] == 1
    assert listed["azure_mappings"][0]["azure_ref"] == "Standard_B2s"

    changed = platform_client.patch(mapping_url(mapping), {"azure_ref": "Standard_B4ms"})
    assert changed.status_code == 200, changed.content
    mapping.refresh_from_db()
    assert mapping.azure_ref == "Standard_B4ms"

    assert platform_client.delete(mapping_url(mapping)).status_code == 204
    assert not AzureMapping.objects.exists()


def test_a_bad_reference_is_400_on_its_field(platform_client, azure):
    answer = platform_client.post(
        mappings_url(azure), {"kind": "network", "name": "net-1", "azure_ref": NSG}
    )

    assert answer.status_code == 400, answer.content
    assert "subnet" in answer.json()["error"]["fields"]["azure_ref"][0]
    assert not AzureMapping.objects.exists()


def test_a_second_mapping_of_a_name_is_409(platform_client, azure):
    AzureMapping.objects.create(
        cloud=azure, kind="flavor", name="m1.small", azure_ref="Standard_B2s"
    )

    answer = platform_client.post(
        mappings_url(azure), {"kind": "flavor", "name": "m1.small", "azure_ref": "Standard_B4ms"}
    )

    assert answer.status_code == 409, answer.content
    assert answer.json()["error"]["code"] == "duplicate_name"


def test_a_mapping_on_another_kind_of_cloud_is_422(platform_client, cloud):
    answer = platform_client.post(
        mappings_url(cloud), {"kind": "flavor", "name": "m1.small", "azure_ref": "Standard_B2s"}
    )

    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "not_an_azure_cloud"
    assert platform_client.get(mappings_url(cloud)).json()["count"] == 0


def test_mappings_are_the_clouds_own(platform_client, azure):
    other = AzureCloudFactory()
    mapping = AzureMapping.objects.create(
        cloud=other, kind="flavor", name="a", azure_ref="Standard_A1"
    )

    assert platform_client.get(mappings_url(azure)).json()["count"] == 0
    wrong = reverse(
        "api:azure-mapping-detail", kwargs={"cloud_id": azure.pk, "mapping_id": mapping.pk}
    )
    assert platform_client.get(wrong).status_code == 404
    assert platform_client.get("/api/v1/clouds/nope/azure-mappings").status_code == 404
    assert platform_client.get(f"/api/v1/clouds/{'9' * 30}/azure-mappings").status_code == 404


def test_tenants_may_not_read_or_write_mappings(client_of_tenant, azure):
    assert client_of_tenant.get(mappings_url(azure)).status_code == 403
    body = {"kind": "flavor", "name": "m1.small", "azure_ref": "Standard_B2s"}
    assert client_of_tenant.post(mappings_url(azure), body).status_code == 403


# ---- the admin ----------------------------------------------------------------------------


def test_an_azure_clouds_page_lists_its_mappings_inline(admin_client, azure, cloud):
    AzureMapping.objects.create(cloud=azure, kind="network", name="net-1", azure_ref=SUBNET)

    page = admin_client.get(reverse("admin:clouds_cloud_change", args=[azure.pk]))
    assert page.status_code == 200
    assert SUBNET in page.content.decode()
    simulator_page = admin_client.get(reverse("admin:clouds_cloud_change", args=[cloud.pk]))
    assert "azure_mappings-TOTAL_FORMS" not in simulator_page.content.decode()


def test_the_mapping_admin_checks_references_and_filters(admin_client, azure):
    add = reverse("admin:clouds_azuremapping_add")
    refused = admin_client.post(
        add, {"cloud": azure.pk, "kind": "security_group", "name": "web", "azure_ref": SUBNET}
    )
    assert refused.status_code == 200  # the form again, with the error
    assert not AzureMapping.objects.exists()

    saved = admin_client.post(
        add, {"cloud": azure.pk, "kind": "security_group", "name": "web", "azure_ref": NSG}
    )
    assert saved.status_code == 302
    listed = admin_client.get(
        reverse("admin:clouds_azuremapping_changelist"), {"kind": "security_group", "q": "web"}
    )
    assert NSG in listed.content.decode()


def test_mappings_added_inline_on_the_clouds_page_are_checked_and_saved(admin_client, azure):
    inline = {
        "azure_mappings-TOTAL_FORMS": "1",
        "azure_mappings-INITIAL_FORMS": "0",
        "azure_mappings-0-kind": "network",
        "azure_mappings-0-name": "private",
        "azure_mappings-0-azure_ref": SUBNET,
    }
    form = admin_form(azure, **inline)

    saved = admin_client.post(reverse("admin:clouds_cloud_change", args=[azure.pk]), form)

    assert saved.status_code == 302, saved.content
    assert AzureMapping.objects.get().azure_ref == SUBNET
