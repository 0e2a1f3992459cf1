"""Floating IPs in the admin: the list (search, filters, live progress), the page,
"Allocate floating IP…", "Associate with server…", and the "Dissociate" and "Release"
actions, all through the services on the simulator; in both languages."""

import pytest
from django.conf import settings

from portal.network.models import FloatingIP, Network

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

LIST = "/admin/network/floatingip/"


def row(allocated):
    return FloatingIP.objects.get(floating_ip_id=allocated["floating_ip_id"])


def test_the_list_searches_filters_and_shows_progress(admin_client, allocated):
    address = allocated["floating_ip_address"]
    html = admin_client.get(LIST, {"q": address}).content.decode()
    assert address in html
    assert 'class="task-progress"' in html
    assert address not in admin_client.get(LIST, {"associated": "yes"}).content.decode()
    assert address in admin_client.get(LIST, {"state__exact": "ready"}).content.decode()
    assert address not in admin_client.get(LIST, {"q": "192.0.2.99"}).content.decode()


def test_the_page_shows_what_the_cloud_said(admin_client, allocated):
    page = admin_client.get(f"{LIST}{row(allocated).pk}/change/")
    assert page.status_code == 200
    assert allocated["floating_ip_uuid"] in page.content.decode()


def test_both_languages(admin_client, allocated):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = admin_client.get(LIST)
    assert page.status_code == 200
    assert 'lang="zh-hans"' in page.content.decode()
    assert admin_client.get(f"{LIST}allocate/").status_code == 200


def test_allocate_form_queues_the_allocation(admin_client, identity, tenant, external):
    page = admin_client.get(f"{LIST}allocate/")
    assert "Allocate floating IP" in admin_client.get(LIST).content.decode()
    assert "public" in page.content.decode()
    network_pk = page.context["form"].fields["external_network"].queryset.get().pk
    answer = admin_client.post(
        f"{LIST}allocate/", {"tenant": tenant.pk, "external_network": network_pk}
    )
    assert answer.status_code == 302
    allocated = FloatingIP.objects.get()
    assert allocated.tenant == tenant
    assert allocated.state == "ready"


def test_allocate_form_shows_a_refusal(admin_client, tenant, external):
    network_pk = Network.objects.get(external=True).pk
    answer = admin_client.post(
        f"{LIST}allocate/", {"tenant": tenant.pk, "external_network": network_pk}
    )
    assert answer.status_code == 200  # the tenant is not set up in the cloud
    assert answer.context["form"].non_field_errors()
    assert not FloatingIP.objects.exists()


def test_associate_then_dissociate_and_release(admin_client, allocated, router, server):
    floating_ip = row(allocated)
    chosen = admin_client.post(
        LIST, {"action": "associate_with_server", "_selected_action": [floating_ip.pk]}
    )
    assert chosen.url.endswith(f"{LIST}{floating_ip.pk}/associate/")
    page = admin_client.get(chosen.url)
    assert server.name in page.content.decode()
    assert admin_client.post(chosen.url, {"server": server.pk}).status_code == 302
    floating_ip.refresh_from_db()
    assert floating_ip.device_id == server.backend_id

    admin_client.post(LIST, {"action": "dissociate", "_selected_action": [floating_ip.pk]})
    floating_ip.refresh_from_db()
    assert floating_ip.port_id == ""
    answer = admin_client.post(
        LIST, {"action": "dissociate", "_selected_action": [floating_ip.pk]}, follow=True
    )
    assert "not associated" in answer.content.decode()

    admin_client.post(LIST, {"action": "release", "_selected_action": [floating_ip.pk]})
    assert not FloatingIP.objects.exists()


def test_an_association_refused_by_neutron_shows_on_the_row(admin_client, allocated, server):
    floating_ip = row(allocated)
    admin_client.post(f"{LIST}{floating_ip.pk}/associate/", {"server": server.pk})
    floating_ip.refresh_from_db()
    assert floating_ip.state == "ready"
    assert "not reachable" in floating_ip.status_message
    assert floating_ip.current_task.state == "failed"
