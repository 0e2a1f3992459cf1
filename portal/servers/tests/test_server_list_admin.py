"""The servers list of the admin, like Horizon's Instances table: its columns, each row's
menu of what the server's state allows now, bulk stop and delete asking first, and a
constant number of queries whatever the number of rows."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.core.models import Task
from portal.core.sentences import kind_label
from portal.core.tests.factories import TaskFactory
from portal.servers.admin.server_list import localised
from portal.servers.locking import available_actions
from portal.servers.models import Server
from portal.servers.tests.factories import FlavorFactory, ServerFactory
from portal.servers.tests.test_instances import create
from portal.tenants.tests.factories import TenantFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

CHANGELIST = "/admin/servers/server/"
OPERATE_URL = re.compile(r'formaction="/admin/servers/server/\d+/operate/([\w-]+)/"')


@pytest.fixture
def server(identity, client_of_tenant, create_body):
    """A server the simulator cloud holds, running."""
    answer = create(client_of_tenant, create_body(data_disks=[]))
    return Server.objects.get(instance_id=answer["instance_id"])


def list_page(admin_client, **params):
    response = admin_client.get(CHANGELIST, params)
    assert response.status_code == 200
    return response.content.decode()


def cell(html, column):
    """The first row's cell of `column` (its list_display name)."""
    return re.search(rf'<td class="field-{column}[^"]*">(.*?)</td>', html, re.S).group(1)


def test_the_columns_of_horizons_instances_table(admin_client, cloud, tenant):
    server = ServerFactory(
        cloud=cloud, tenant=tenant, name="web-1", image_name="cirros-0.6.2",
        addresses={"default-net": ["10.0.0.5", "fd00::5"], "storage": ["192.168.9.4"]},
        flavor_name="m1.small", key_name="ops-key", availability_zone="nova",
        runtime_state="SHUTOFF", power_state="shutdown",
    )  # fmt: skip
    html = list_page(admin_client)
    short = server.instance_id[:8]
    assert f'<code title="{server.instance_id}">{short}</code>' in cell(html, "name_column")
    assert f'data-copy="{server.instance_id}"' in cell(html, "name_column")
    assert cell(html, "image_column") == "cirros-0.6.2"
    addresses = cell(html, "address_column")
    # Per network in the order the database keeps them (jsonb sorts keys).
    assert sorted(re.findall(r'title="([\w-]+)">([\d.a-f:]+)<', addresses)) == [
        ("default-net", "10.0.0.5"), ("default-net", "fd00::5"), ("storage", "192.168.9.4"),
    ]  # fmt: skip
    assert cell(html, "flavor_name") == "m1.small"
    assert cell(html, "key_column") == "ops-key"
    assert 'title="SHUTOFF">shut off</span>' in cell(html, "cloud_status_column")
    assert "spinner" not in cell(html, "cloud_status_column")
    assert cell(html, "power_column") == "shut down"
    assert cell(html, "zone_column") == "nova"
    assert f">{tenant.name}</span>" in cell(html, "tenant_column")
    assert "state-badge state-ready" in cell(html, "status_column")


def test_the_age_says_how_long_ago_with_the_exact_time_in_its_title(admin_client, cloud):
    server = ServerFactory(cloud=cloud)
    created = timezone.now() - timedelta(hours=3, minutes=5)
    Server.objects.filter(pk=server.pk).update(created=created)
    age = cell(list_page(admin_client), "age_column")
    assert ">3\xa0hours</time>" in age
    assert f'title="{localised(created)}"' in age

    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    age = cell(list_page(admin_client), "age_column")
    assert "小时</time>" in age
    assert re.search(r'title="\d{4}年\d+月\d+日', age)


def test_a_busy_server_shows_a_spinner_and_its_tasks_progress(admin_client, cloud):
    task = TaskFactory(kind="server.operate", state=Task.State.RUNNING, progress=40)
    ServerFactory(cloud=cloud, current_task=task, locked=True)
    status = cell(list_page(admin_client), "cloud_status_column")
    busy = f"busy: {kind_label('server.operate')}"
    assert f'class="spinner" role="status" aria-label="{busy}"' in status
    assert f'data-task-id="{task.pk}" data-state="running"' in status


def test_a_finished_task_shows_no_spinner(admin_client, cloud):
    ServerFactory(cloud=cloud, current_task=TaskFactory(state=Task.State.SUCCEEDED))
    assert "spinner" not in cell(list_page(admin_client), "cloud_status_column")


@pytest.mark.parametrize(
    ("changes", "offered"),
    [
        ({"runtime_state": "ACTIVE"}, {"stop", "softreboot", "hardreboot", "suspend", "delete"}),
        ({"runtime_state": "SHUTOFF"}, {"start", "hardreboot", "delete"}),
        ({"runtime_state": "ACTIVE", "locked": True}, set()),
        ({"status": Server.Status.RESIZED, "runtime_state": "VERIFY_RESIZE"},
         {"confirm", "revert", "delete"}),
        ({"status": Server.Status.CREATING, "runtime_state": ""}, set()),
    ],
)  # fmt: skip
def test_the_row_menu_offers_only_what_the_state_allows(admin_client, cloud, changes, offered):
    server = ServerFactory(cloud=cloud, **changes)
    menu = cell(list_page(admin_client), "row_menu")
    assert set(OPERATE_URL.findall(menu)) == offered
    # The same rules as the API's: available_actions, less what the admin leaves to it.
    assert offered == set(available_actions(server, operator=True)) - {
        "resize", "pause", "unpause", "lock", "unlock",
    }  # fmt: skip
    resizable = "resize" in available_actions(server, operator=True)
    assert (f'href="/admin/servers/server/{server.pk}/resize/"' in menu) is resizable
    if not offered:
        assert menu == "-"


def test_a_row_menu_button_acts_and_comes_back_to_the_list(admin_client, server):
    back = f"{CHANGELIST}?q=web"
    html = list_page(admin_client, q="web")
    assert f'<input type="hidden" name="next" value="{back}">' in html

    response = admin_client.post(
        f"{CHANGELIST}{server.pk}/operate/stop/", {"next": back}, follow=True
    )

    assert response.redirect_chain[-1][0] == back
    assert f"{server.name}: queued; its row shows the progress." in response.content.decode()
    server.refresh_from_db()
    assert server.runtime_state == "SHUTOFF"
    # Its menu now offers a start, not a stop.
    assert set(OPERATE_URL.findall(cell(response.content.decode(), "row_menu"))) == {
        "start", "hardreboot", "delete",
    }  # fmt: skip


def test_a_refused_row_action_says_why_on_the_list(admin_client, server):
    admin_client.post(f"{CHANGELIST}{server.pk}/operate/stop/")
    response = admin_client.post(
        f"{CHANGELIST}{server.pk}/operate/stop/", {"next": CHANGELIST}, follow=True
    )
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert f"{server.name}: " in response.content.decode()
    assert "SHUTOFF" in response.content.decode()


def test_a_next_elsewhere_goes_back_to_the_servers_page(admin_client, server):
    response = admin_client.post(
        f"{CHANGELIST}{server.pk}/operate/softreboot/", {"next": "https://evil.example/"}
    )
    assert response.url == f"{CHANGELIST}{server.pk}/change/"


def test_the_list_finds_a_server_by_id_prefix_and_ip(admin_client, cloud):
    alpha = ServerFactory(cloud=cloud, name="alpha", addresses={"net": ["10.1.0.5"]})
    ServerFactory(cloud=cloud, name="beta", addresses={"net": ["10.1.0.77"]})
    for query in ("10.1.0.5", alpha.instance_id[:8], alpha.backend_id, "alph"):
        found = admin_client.get(CHANGELIST, {"q": query}).context["cl"].result_list
        assert [server.name for server in found] == ["alpha"], query


def test_the_flavor_filter_offers_the_flavors_and_never_reads_every_server(admin_client, cloud):
    FlavorFactory(cloud=cloud, name="m1.small")
    FlavorFactory(cloud=cloud, name="m1.large")
    ServerFactory(cloud=cloud, name="small", flavor_name="m1.small")
    ServerFactory(cloud=cloud, name="gone", flavor_name="m1.retired")  # its flavor deleted
    with CaptureQueriesContext(connection) as page:
        html = list_page(admin_client)
    assert re.findall(r'href="\?flavor_name=([\w.]+)"', html) == ["m1.large", "m1.small"]
    assert not [
        query for query in page if "DISTINCT" in query["sql"] and "servers_server" in query["sql"]
    ]

    for name, listed in (("m1.small", ["small"]), ("m1.retired", ["gone"]), ("m1.large", [])):
        found = admin_client.get(CHANGELIST, {"flavor_name": name}).context["cl"].result_list
        assert [server.name for server in found] == listed


def test_the_list_makes_as_many_queries_for_one_row_as_for_many(
    admin_client, cloud, django_assert_max_num_queries
):
    ServerFactory(cloud=cloud, current_task=TaskFactory(state=Task.State.RUNNING))
    with CaptureQueriesContext(connection) as one_row:
        list_page(admin_client)
    for index in range(15):
        ServerFactory(
            cloud=cloud, tenant=TenantFactory(), runtime_state=("ACTIVE", "SHUTOFF")[index % 2],
            current_task=TaskFactory(state=Task.State.RUNNING), locked=index % 3 == 0,
        )  # fmt: skip

    with django_assert_max_num_queries(len(one_row)):
        html = list_page(admin_client)
    assert html.count('class="field-row_menu"') == 16


# ---- bulk stop and delete ask first ------------------------------------------------------


def bulk(admin_client, action, servers, **extra):
    data = {"action": action, "_selected_action": [server.pk for server in servers], **extra}
    return admin_client.post(CHANGELIST, data)


@pytest.mark.parametrize("action", ["stop", "delete_servers"])
def test_bulk_stop_and_delete_ask_first_and_no_takes_back(admin_client, server, action):
    response = bulk(admin_client, action, [server])

    assert response.status_code == 200
    assert response.templates[0].name == "admin/servers/server/bulk_confirmation.html"
    html = response.content.decode()
    assert server.name in html
    assert f'<input type="hidden" name="action" value="{action}">' in html
    assert f'name="_selected_action" value="{server.pk}"' in html
    assert '<input type="hidden" name="post" value="yes">' in html
    # Nothing was done; "No, take me back" goes back to the list.
    assert not Task.objects.filter(kind__in=["server.operate", "server.delete"]).exists()
    no = re.search(r'<a href="([^"]+)" class="button cancel-link">', html).group(1)
    assert no == CHANGELIST
    assert admin_client.get(no).status_code == 200
    server.refresh_from_db()
    assert (server.status, server.runtime_state) == ("ready", "ACTIVE")


def test_yes_stops_the_servers(admin_client, server):
    response = bulk(admin_client, "stop", [server], post="yes")
    assert response.status_code == 302
    server.refresh_from_db()
    assert server.runtime_state == "SHUTOFF"


def test_yes_deletes_the_servers(admin_client, server):
    bulk(admin_client, "delete_servers", [server], post="yes")
    server.refresh_from_db()
    assert server.status == Server.Status.DELETED


def test_the_confirmation_says_which_servers_the_action_leaves_alone(admin_client, cloud):
    stopped = ServerFactory(cloud=cloud, name="stopped-1", runtime_state="SHUTOFF")
    running = ServerFactory(cloud=cloud, name="running-1")
    html = bulk(admin_client, "stop", [stopped, running]).content.decode()
    listed = re.findall(r"<li>([\w-]+) (<code>.*?)</li>", html, re.S)
    items = {name: "not-possible" in rest for name, rest in listed}
    assert items == {"stopped-1": True, "running-1": False}


def test_a_refusal_after_yes_is_said_and_the_others_go_on(admin_client, server, cloud):
    stopped = ServerFactory(cloud=cloud, name="stopped-1", runtime_state="SHUTOFF")
    response = admin_client.post(
        CHANGELIST,
        {"action": "stop", "_selected_action": [stopped.pk, server.pk], "post": "yes"},
        follow=True,
    )
    assert "stopped-1: " in response.content.decode()
    server.refresh_from_db()
    assert server.runtime_state == "SHUTOFF"
