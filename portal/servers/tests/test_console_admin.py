"""The server page's "Console" link and "Console log" section: each asks the cloud through
a Task, as the API does (servers/console.py)."""

import pytest

from portal.clouds.simulator.faults import inject_fault
from portal.core.models import Task
from portal.servers import console
from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory
from portal.servers.tests.test_instance_actions import operate
from portal.servers.tests.test_instances import create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def server(identity, client_of_tenant, create_body):
    answer = create(client_of_tenant, create_body(data_disks=[]))
    return Server.objects.get(instance_id=answer["instance_id"])


def server_page(admin_client, server, **params):
    answer = admin_client.get(f"/admin/servers/server/{server.pk}/change/", params)
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_page_offers_the_console_and_its_log_without_asking_the_cloud(admin_client, server):
    html = server_page(admin_client, server)
    assert f'href="/admin/servers/server/{server.pk}/console/"' in html
    assert 'target="_blank"' in html
    assert '<input type="number" id="id_console_lines" name="console_lines"' in html
    assert 'value="100"' in html
    assert "<pre" not in html
    assert not Task.objects.filter(kind__startswith="server.console").exists()


def test_the_console_log_shows_its_last_lines(admin_client, server):
    html = server_page(admin_client, server, console_lines="1")
    assert f'<pre class="console-log">{server.name} login: </pre>' in html
    task = Task.objects.get(kind=console.CONSOLE_LOG_KIND)
    assert (task.state, task.requested_by) == ("succeeded", "staff:operator")


def test_a_bad_number_of_lines_is_said(admin_client, server):
    html = server_page(admin_client, server, console_lines="5000")
    assert "Must be a whole number from 1 to 1000." in html
    assert "<pre" not in html


def test_a_cloud_failure_is_said(admin_client, server, cloud):
    inject_fault(cloud, "compute.get_console_output", mode="unavailable")
    html = server_page(admin_client, server, console_lines="10")
    assert "Simulated failure of compute.get_console_output." in html
    assert "<pre" not in html


def test_a_server_not_in_the_cloud_has_neither(admin_client, tenant, cloud):
    building = ServerFactory(tenant=tenant, cloud=cloud, backend_id=None)
    html = server_page(admin_client, building, console_lines="10")
    assert f"/{building.pk}/console/" not in html
    assert 'id="console-log"' not in html
    assert not Task.objects.exists()


def test_the_console_link_opens_the_console_url(admin_client, server):
    answer = admin_client.get(f"/admin/servers/server/{server.pk}/console/")
    assert answer.status_code == 302
    assert answer.url.startswith("http://127.0.0.1:6080/vnc_auto.html?path=")


def test_a_refused_console_goes_back_to_the_server_page_with_the_reason(
    admin_client, server, client_of_tenant
):
    operate(client_of_tenant, server, "stop")
    answer = admin_client.get(f"/admin/servers/server/{server.pk}/console/", follow=True)
    assert answer.redirect_chain[-1][0] == f"/admin/servers/server/{server.pk}/change/"
    html = answer.content.decode()
    assert "while it is SHUTOFF" in html
    assert f'href="/admin/servers/server/{server.pk}/console/"' not in html
