"""A Cloud of kind azure: its subscription, resource group, location and service principal
(the secret write-only and encrypted), through the API and the admin (issue 19)."""

import pytest
from django.db import connection

from portal.clouds.models import Cloud
from portal.clouds.tests.factories import AzureCloudFactory, CloudFactory
from portal.core.fields import decrypt

pytestmark = pytest.mark.django_db

AZURE = {
    "name": "azure-we",
    "kind": "azure",
    "region": "azure-we",
    "azure_subscription_id": "11111111-2222-3333-4444-555555555555",
    "azure_resource_group": "portal-rg",
    "azure_location": "westeurope",
    "azure_directory_id": "66666666-7777-8888-9999-000000000000",
    "azure_client_id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    "azure_storage_account": "portalimages",
    "azure_storage_key": "very-secret-storage-key",
    "azure_client_secret": "very-secret-principal",
}
SETTINGS = [name for name in AZURE if name.startswith("azure_")]
SECRETS = ("azure_storage_key", "azure_client_secret")
PLAIN_SETTINGS = [name for name in SETTINGS if name not in SECRETS]


def stored_secret(cloud):
    """The client secret as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT azure_client_secret FROM clouds_cloud WHERE id = %s", [cloud.pk])
        return cursor.fetchone()[0]


def test_an_azure_cloud_is_registered_without_openstack_settings(staff_client):
    answer = staff_client.post("/api/v1/clouds", AZURE, format="json")

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert not set(SECRETS) & set(body)
    assert {name: body[name] for name in PLAIN_SETTINGS} == {
        name: AZURE[name] for name in PLAIN_SETTINGS
    }
    assert (body["kind"], body["auth_url"], body["azure_stop_mode"]) == ("azure", "", "deallocate")
    cloud = Cloud.objects.get(name="azure-we")
    assert cloud.azure_client_secret == "very-secret-principal"
    raw = stored_secret(cloud)
    assert "very-secret-principal" not in raw
    assert decrypt(raw) == "very-secret-principal"
    assert cloud.azure_storage_key == "very-secret-storage-key"
    listing = staff_client.get("/api/v1/clouds").content.decode()
    assert "very-secret-principal" not in listing
    assert "very-secret-storage-key" not in listing
    assert (
        "very-secret-principal"
        not in staff_client.get(f"/api/v1/clouds/{cloud.pk}").content.decode()
    )


def test_an_azure_cloud_without_its_settings_is_a_400_naming_each(staff_client):
    body = {
        "name": "azure-we",
        "kind": "azure",
        "region": "azure-we",
        "azure_location": "westeurope",
    }

    answer = staff_client.post("/api/v1/clouds", body, format="json")

    assert answer.status_code == 400, answer.content
    fields = answer.json()["error"]["fields"]
    assert set(fields) == set(SETTINGS) - {"azure_location"}
    assert fields["azure_client_secret"] == ["A cloud of kind Azure needs this setting."]
    assert not Cloud.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("azure_subscription_id", "not-a-guid"),
        ("azure_directory_id", "1111"),
        ("azure_location", "West Europe"),
        ("azure_resource_group", "ends-with-a-period."),
        ("azure_stop_mode", "hibernate"),
    ],
)
def test_malformed_azure_settings_are_a_400(staff_client, field, value):
    answer = staff_client.post("/api/v1/clouds", {**AZURE, field: value}, format="json")

    assert answer.status_code == 400, answer.content
    assert list(answer.json()["error"]["fields"]) == [field]


def test_an_openstack_cloud_needs_no_azure_settings(staff_client):
    body = {
        "name": "dc1",
        "kind": "openstack",
        "region": "dc1",
        "auth_url": "http://127.0.0.1:5000/v3",
    }

    answer = staff_client.post("/api/v1/clouds", body, format="json")

    assert answer.status_code == 201, answer.content
    assert answer.json()["azure_subscription_id"] == ""


def test_a_patch_with_a_blank_secret_keeps_it_and_changes_the_stop_mode(platform_client):
    cloud = AzureCloudFactory(azure_client_secret="keep-me")

    answer = platform_client.patch(
        f"/api/v1/clouds/{cloud.pk}",
        {"azure_client_secret": "", "azure_stop_mode": "power_off"},
        format="json",
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["azure_stop_mode"] == "power_off"
    assert "keep-me" not in answer.content.decode()
    cloud.refresh_from_db()
    assert (cloud.azure_client_secret, cloud.azure_stop_mode) == ("keep-me", "power_off")


def test_a_patch_that_blanks_a_needed_setting_is_a_400(staff_client):
    cloud = AzureCloudFactory()

    answer = staff_client.patch(
        f"/api/v1/clouds/{cloud.pk}", {"azure_resource_group": ""}, format="json"
    )

    assert answer.status_code == 400, answer.content
    assert list(answer.json()["error"]["fields"]) == ["azure_resource_group"]
    cloud.refresh_from_db()
    assert cloud.azure_resource_group == "portal-rg"


def test_turning_a_cloud_into_an_azure_one_needs_its_settings(staff_client):
    cloud = CloudFactory(kind="openstack")

    answer = staff_client.patch(f"/api/v1/clouds/{cloud.pk}", {"kind": "azure"}, format="json")

    assert answer.status_code == 400, answer.content
    assert set(answer.json()["error"]["fields"]) == set(SETTINGS)
    cloud.refresh_from_db()
    assert cloud.kind == "openstack"


# ---- the admin -----------------------------------------------------------------------------


def admin_form(cloud=None, **changes):
    """What the admin's cloud page posts."""
    fields = {
        "name": "azure-we", "kind": "azure", "region": "azure-we", "enabled": "on",
        "user_domain_name": "Default", "project_domain_name": "Default", "options": "{}",
        "azure_stop_mode": "deallocate", **{name: AZURE[name] for name in SETTINGS},
    }  # fmt: skip
    if cloud is not None:
        # A saved Azure cloud's page has its mappings inline, with their management form.
        fields.update(name=cloud.name, region=cloud.region)
        fields.update({"azure_mappings-TOTAL_FORMS": "0", "azure_mappings-INITIAL_FORMS": "0"})
    return {**fields, **changes}


def test_the_admin_shows_the_azure_fieldset_and_never_the_secret(admin_client):
    cloud = AzureCloudFactory(azure_client_secret="admin-page-secret")

    page = admin_client.get(f"/admin/clouds/cloud/{cloud.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Azure subscription and service principal" in html
    assert 'name="azure_client_secret"' in html
    assert "admin-page-secret" not in html


def test_the_admin_registers_an_azure_cloud_with_an_encrypted_secret(admin_client):
    answer = admin_client.post("/admin/clouds/cloud/add/", admin_form())

    assert answer.status_code == 302, answer.content
    cloud = Cloud.objects.get(name="azure-we")
    assert decrypt(stored_secret(cloud)) == AZURE["azure_client_secret"]


def test_the_admin_names_each_missing_setting(admin_client):
    answer = admin_client.post(
        "/admin/clouds/cloud/add/", admin_form(azure_client_secret="", azure_client_id="")
    )

    assert answer.status_code == 200
    errors = answer.context["adminform"].form.errors
    assert set(errors) == {"azure_client_secret", "azure_client_id"}
    assert not Cloud.objects.exists()


def test_the_admin_keeps_the_secret_when_left_blank(admin_client):
    cloud = AzureCloudFactory(azure_client_secret="kept-by-admin")

    answer = admin_client.post(
        f"/admin/clouds/cloud/{cloud.pk}/change/",
        admin_form(cloud, azure_client_secret="", azure_stop_mode="power_off"),
    )

    assert answer.status_code == 302, answer.content
    cloud.refresh_from_db()
    assert (cloud.azure_client_secret, cloud.azure_stop_mode) == ("kept-by-admin", "power_off")
