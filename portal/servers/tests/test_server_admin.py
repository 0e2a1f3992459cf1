"""The server pages of the admin: list with badges and filters, page with task history,
actions through the services."""

import pytest

from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory
from portal.servers.tests.test_instances import create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

CHANGELIST = "/admin/servers/server/"


def test_changelist_with_badges_and_filters(cloud, tenant, admin_client):
    ServerFactory(cloud=cloud, tenant=tenant, name="alpha")
    ServerFactory(cloud=cloud, tenant=tenant, name="beta", runtime_state="SHUTOFF")
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert (
        '<span class="state-badge state-ready" title="ready">ready</span>'
        in response.content.decode()
    )
    response = admin_client.get(CHANGELIST, {"runtime_state": "SHUTOFF"})
    assert response.context["cl"].result_count == 1


def test_the_list_finds_a_server_by_ip_address(cloud, tenant, admin_client):
    ServerFactory(cloud=cloud, tenant=tenant, name="alpha", addresses={"net": ["10.0.0.5"]})
    ServerFactory(cloud=cloud, tenant=tenant, name="beta", addresses={"net": ["10.0.0.77"]})
    found = admin_client.get(CHANGELIST, {"q": "10.0.0.77"}).context["cl"].result_list
    assert [server.name for server in found] == ["beta"]


def test_the_server_page_shows_its_addresses_as_text(cloud, tenant, admin_client):
    server = ServerFactory(
        cloud=cloud, tenant=tenant, addresses={"default-net": ["10.0.0.5", "fd00::5"]}
    )
    page = admin_client.get(f"{CHANGELIST}{server.pk}/change/").content.decode()
    assert "default-net: 10.0.0.5, fd00::5" in page
    assert '{"default-net"' not in page  # not as JSON


def test_server_page_lists_its_tasks(identity, client_of_tenant, create_body, admin_client):
    answer = create(client_of_tenant, create_body())
    server = Server.objects.get(instance_id=answer["instance_id"])
    response = admin_client.get(f"{CHANGELIST}{server.pk}/change/")
    assert response.status_code == 200
    assert f"created server {server.name}" in response.content.decode()


def test_stop_and_delete_actions_go_through_the_services(
    identity, client_of_tenant, create_body, admin_client
):
    answer = create(client_of_tenant, create_body())
    server = Server.objects.get(instance_id=answer["instance_id"])
    # Stop and delete ask first (a confirmation page); "post" is its "Yes".
    admin_client.post(
        CHANGELIST, {"action": "stop", "_selected_action": [server.pk], "post": "yes"}
    )
    server.refresh_from_db()
    assert server.runtime_state == "SHUTOFF"
    response = admin_client.post(CHANGELIST, {"action": "start", "_selected_action": [server.pk]})
    assert response.status_code == 302
    admin_client.post(
        CHANGELIST, {"action": "delete_servers", "_selected_action": [server.pk], "post": "yes"}
    )
    server.refresh_from_db()
    assert server.status == Server.Status.DELETED


def test_an_impossible_action_is_reported(cloud, tenant, admin_client):
    server = ServerFactory(cloud=cloud, tenant=tenant)
    response = admin_client.post(
        CHANGELIST, {"action": "start", "_selected_action": [server.pk]}, follow=True
    )
    assert "ACTIVE" in response.content.decode()
