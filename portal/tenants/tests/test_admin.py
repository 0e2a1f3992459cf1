"""The tenants admin: pages render, sign-up goes through the service, key actions."""

import pytest
from django.contrib.messages import get_messages

from portal.tenants.models import PlatformAPIKey, Tenant, TenantAPIKey
from portal.tenants.tests.factories import make_tenant_key

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/tenants/tenant/"


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def key_in(message):
    return message.split(": ", 1)[1].split(" ")[0]


def test_pages_render(admin_client, tenant):
    make_tenant_key(tenant)

    for url in (
        CHANGELIST,
        f"{CHANGELIST}?q={tenant.name}",
        f"{CHANGELIST}?status__exact=active",
        f"{CHANGELIST}{tenant.pk}/change/",
        f"{CHANGELIST}add/",
        "/admin/tenants/platformapikey/",
        "/admin/tenants/platformapikey/add/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_adding_a_tenant_registers_it_and_shows_the_key_once(admin_client, cloud, run_commit_hooks):
    response = admin_client.post(f"{CHANGELIST}add/", {"name": "Acme"}, follow=True)

    assert response.status_code == 200
    tenant = Tenant.objects.get()
    assert (tenant.tenant_id, tenant.status) == ("t-0000000001", Tenant.Status.ACTIVE)
    assert tenant.identities.get().user_id
    (message,) = [m for m in messages_of(response) if "API key" in m]
    api_key = TenantAPIKey.objects.get(tenant=tenant)
    assert api_key.is_valid(key_in(message))
    again = admin_client.get(f"{CHANGELIST}{tenant.pk}/change/")
    assert key_in(message).encode() not in again.content
    assert b'class="task-progress"' in again.content  # the set-up Task's progress


def test_adding_a_duplicate_shows_the_error_on_the_form(admin_client, cloud):
    admin_client.post(f"{CHANGELIST}add/", {"name": "Acme"})

    response = admin_client.post(f"{CHANGELIST}add/", {"name": "ACME"})

    assert response.status_code == 200
    assert b"already exists" in response.content
    assert Tenant.objects.count() == 1


def test_the_change_page_edits_the_quota(admin_client, cloud, run_commit_hooks):
    admin_client.post(f"{CHANGELIST}add/", {"name": "Acme"})
    tenant = Tenant.objects.get()
    page = admin_client.get(f"{CHANGELIST}{tenant.pk}/change/")
    data = {"name": "Acme Corp", **management_data(page)}
    data.update({f"quota-0-{name}": value for name, value in tenant.quota.as_dict().items()})
    data.update({"quota-0-id": tenant.quota.pk, "quota-0-tenant": tenant.pk, "quota-0-cores": 64})

    response = admin_client.post(f"{CHANGELIST}{tenant.pk}/change/", data)

    assert response.status_code == 302, response.context and response.context["errors"]
    tenant.refresh_from_db()
    assert (tenant.name, tenant.quota.cores) == ("Acme Corp", 64)


def management_data(page):
    """The inline formsets' management form fields, as the page rendered them."""
    data = {}
    for formset in page.context["inline_admin_formsets"]:
        for field in formset.formset.management_form:
            data[field.html_name] = field.value()
    return data


def test_rotate_action_shows_a_new_key_and_revokes_the_old(admin_client, tenant):
    old, _ = make_tenant_key(tenant)

    response = admin_client.post(
        CHANGELIST, {"action": "rotate_key", "_selected_action": [tenant.pk]}, follow=True
    )

    (message,) = [m for m in messages_of(response) if "API key" in m]
    new = TenantAPIKey.objects.get(tenant=tenant, revoked=False)
    assert new.is_valid(key_in(message))
    assert TenantAPIKey.objects.get(pk=old.pk).revoked


def test_revoke_action(admin_client, tenant, other_tenant):
    make_tenant_key(tenant)
    make_tenant_key(tenant)
    make_tenant_key(other_tenant)

    response = admin_client.post(
        CHANGELIST, {"action": "revoke_keys", "_selected_action": [tenant.pk]}, follow=True
    )

    assert "2 keys revoked." in messages_of(response)
    assert not TenantAPIKey.objects.filter(tenant=tenant, revoked=False).exists()
    assert TenantAPIKey.objects.filter(tenant=other_tenant, revoked=False).exists()


def test_tenants_cannot_be_deleted_in_the_admin(admin_client, tenant):
    assert admin_client.get(f"{CHANGELIST}{tenant.pk}/delete/").status_code == 403


def test_platform_keys_are_created_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/tenants/platformapikey/add/", {"name": "billing"}, follow=True
    )

    assert response.status_code == 200
    assert PlatformAPIKey.objects.get().name == "billing"
