"""A server's remote console and console log through the API and the admin's server page:
each a Task whose job reads the cloud, answered with what it found; the failure branches
through the simulator's fault injection; isolation between tenants and the platform's say."""

import pytest

from conftest import PLATFORM_AUTHZ_PATH, platform_questions
from portal.clouds.simulator.faults import inject_fault
from portal.core.models import Task
from portal.servers import console
from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory
from portal.servers.tests.test_instance_actions import operate
from portal.servers.tests.test_instances import create, detail

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


@pytest.fixture
def server(identity, client_of_tenant, create_body):
    answer = create(client_of_tenant, create_body(data_disks=[]))
    return Server.objects.get(instance_id=answer["instance_id"])


def read(client, server, endpoint, expect=200, **params):
    """The answer to GET /instances/{id}/<endpoint>; an error's `error` object."""
    answer = client.get(detail(server.instance_id, endpoint), params)
    assert answer.status_code == expect, answer.content
    body = answer.json()
    return body["error"] if answer.status_code >= 400 else body


# ---- the remote console ------------------------------------------------------------------


def test_the_console_is_a_novnc_url(server, client_of_tenant):
    answer = read(client_of_tenant, server, "console")
    assert (answer["protocol"], answer["type"]) == ("vnc", "novnc")
    assert answer["url"].startswith("http://127.0.0.1:6080/vnc_auto.html?path=")
    task = Task.objects.get(kind=console.CONSOLE_KIND)
    assert (task.state, task.target_id, task.tenant) == (
        "succeeded",
        server.instance_id,
        server.tenant,
    )


def test_a_cloud_without_vnc_gives_a_spice_console(server, client_of_tenant, cloud):
    cloud.options = {**cloud.options, "console_protocols": ["spice"]}
    cloud.save()
    answer = read(client_of_tenant, server, "console")
    assert (answer["protocol"], answer["type"]) == ("spice", "spice-html5")


def test_a_cloud_with_no_console_refuses_it(server, client_of_tenant, cloud):
    cloud.options = {**cloud.options, "console_protocols": []}
    cloud.save()
    assert read(client_of_tenant, server, "console", expect=400)["code"] == "bad_request"


def test_an_operator_gets_any_tenants_console(server, staff_client):
    assert read(staff_client, server, "console")["protocol"] == "vnc"


# ---- the console log ---------------------------------------------------------------------


def test_the_console_log_holds_the_servers_boot(server, client_of_tenant):
    answer = read(client_of_tenant, server, "console-log")
    assert answer["lines"] == console.DEFAULT_LOG_LINES
    assert f"{server.name} login:" in answer["output"]
    assert "cloud-init" in answer["output"]


def test_the_console_log_gives_the_last_lines(server, client_of_tenant):
    operate(client_of_tenant, server, "stop")
    answer = read(client_of_tenant, server, "console-log", lines=2)
    assert answer == {
        "lines": 2,
        "output": "[  OK  ] Reached target System Power Off.\nreboot: Power down",
    }


@pytest.mark.parametrize("lines", ["0", "1001", "-3", "ten", "2.5"])
def test_a_bad_number_of_lines_is_400(server, client_of_tenant, lines):
    answer = read(client_of_tenant, server, "console-log", expect=400, lines=lines)
    assert "lines" in answer["fields"]
    assert not Task.objects.filter(kind=console.CONSOLE_LOG_KIND).exists()


def test_at_most_1000_lines(server, client_of_tenant):
    assert read(client_of_tenant, server, "console-log", lines=1000)["lines"] == 1000


# ---- both: state refusals, failures, a read still running, isolation ---------------------

ENDPOINTS = [("console", "get_remote_console"), ("console-log", "get_console_output")]


@pytest.mark.parametrize(("endpoint", "operation"), ENDPOINTS)
@pytest.mark.parametrize(
    ("mode", "status", "code"),
    [
        ("unavailable", 503, "unavailable"),
        ("timeout", 503, "unavailable"),
        ("not_found", 404, "not_found"),
        ("conflict", 409, "conflict"),
    ],
)
def test_cloud_failures(server, client_of_tenant, cloud, endpoint, operation, mode, status, code):
    cloud.options = {**cloud.options, "timeout_seconds": 0}
    cloud.save()
    inject_fault(cloud, f"compute.{operation}", mode=mode)
    answer = read(client_of_tenant, server, endpoint, expect=status)
    assert answer["code"] == code
    task = Task.objects.get(target_id=server.instance_id, kind__startswith="server.console")
    assert (task.state, task.error_code, task.result) == ("failed", code, None)


def test_the_console_of_a_stopped_server_is_refused(server, client_of_tenant):
    operate(client_of_tenant, server, "stop")
    answer = read(client_of_tenant, server, "console", expect=409)
    assert answer["code"] == "conflict"
    assert "SHUTOFF" in answer["message"]


@pytest.mark.parametrize("endpoint", ["console", "console-log"])
def test_a_server_gone_from_the_cloud_is_404(server, client_of_tenant, cloud, endpoint):
    Server.objects.filter(pk=server.pk).update(backend_id="gone-from-the-cloud")
    assert read(client_of_tenant, server, endpoint, expect=404)["code"] == "not_found"


@pytest.mark.parametrize("endpoint", ["console", "console-log"])
def test_a_server_not_yet_in_the_cloud_is_409(tenant, cloud, client_of_tenant, endpoint):
    building = ServerFactory(tenant=tenant, cloud=cloud, backend_id=None)
    answer = read(client_of_tenant, building, endpoint, expect=409)
    assert answer["code"] == "invalid_state"
    assert not Task.objects.exists()


@pytest.mark.parametrize("endpoint", ["console", "console-log"])
def test_a_read_still_running_answers_202_with_its_task(
    server, client_of_tenant, monkeypatch, endpoint
):
    monkeypatch.setattr("portal.servers.console.enqueue", lambda *args: None)
    answer = read(client_of_tenant, server, endpoint, expect=202, wait=0)
    assert answer["task"]["state"] == "queued"
    assert Task.objects.filter(pk=answer["task"]["task_id"], state="queued").exists()


def test_a_bad_wait_is_400(server, client_of_tenant):
    assert "wait" in read(client_of_tenant, server, "console", expect=400, wait=61)["fields"]


@pytest.mark.parametrize("endpoint", ["console", "console-log"])
def test_another_tenants_server_is_404(server, client_of_other_tenant, endpoint):
    answer = read(client_of_other_tenant, server, endpoint, expect=404)
    assert answer["code"] == "not_found"
    assert not Task.objects.filter(kind__startswith="server.console").exists()


@pytest.mark.parametrize("endpoint", ["console", "console-log"])
def test_the_platform_is_asked_about_the_instance(server, client_of_tenant, platform, endpoint):
    platform.expect_request(PLATFORM_AUTHZ_PATH, method="POST").respond_with_json(
        {"allowed": False}
    )
    assert read(client_of_tenant, server, endpoint, expect=403)
    assert platform_questions(platform)[0]["resource_ids"] == [server.instance_id]
    assert not Task.objects.filter(kind__startswith="server.console").exists()


# ---- the admin's server page: a "Console" link and a "Console log" section --------------


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
    assert 'id="tab-console-log"' not in html
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
