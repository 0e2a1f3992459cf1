"""The server page of the admin, like Horizon's instance page: a summary at the top with
the current Task's progress, tabs (Overview, Disks, Network & security groups, Tasks,
Console log, Console), raw ids folded away; sizes and times readable; no cloud call."""

import re

import pytest
from django.conf import settings

from portal.core.models import Task
from portal.core.sentences import kind_label, task_sentence
from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory
from portal.servers.tests.test_instances import create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

CHANGELIST = "/admin/servers/server/"


@pytest.fixture
def server(identity, client_of_tenant, create_body):
    """cirros on m1.small with a 5 GB system disk and data disks of 10 and 20 GB."""
    answer = create(client_of_tenant, create_body())
    return Server.objects.get(instance_id=answer["instance_id"])


def server_page(admin_client, server, **params):
    response = admin_client.get(f"{CHANGELIST}{server.pk}/change/", params)
    assert response.status_code == 200
    return response.content.decode()


def section(html, anchor):
    """A tab's panel, up to the next one."""
    start = html.index(f'<section class="tab-panel" id="tab-{anchor}"')
    end = html.find('class="tab-panel"', start + 20)
    return html[start:end]


def test_the_summary_shows_the_server_at_a_glance(admin_client, server, tenant):
    html = server_page(admin_client, server)
    summary = html[html.index('class="server-summary"') : html.index('class="server-tabs"')]
    assert '<span class="state-badge state-ready" title="ready">ready</span>' in summary
    assert '<span class="cloud-status cloud-status-active" title="ACTIVE">active</span>' in summary
    assert "<dd>running</dd>" in summary
    for ip in [ip for ips in server.addresses.values() for ip in ips]:
        assert ip in summary
    assert "m1.small: 1 vCPU, 2.0\xa0GB RAM, 20.0\xa0GB disk" in summary
    assert "cirros-0.6.2" in summary
    assert tenant.name in summary
    for placement in (server.hypervisor_hostname, server.availability_zone):
        assert f"<dd>{placement}</dd>" in summary
    # The current Task's progress bar, kept live by tasks.js.
    assert f"Latest task: {kind_label('server.create')}" in summary
    assert f'data-task-id="{server.current_task_id}" data-state="succeeded"' in summary


def test_the_page_is_in_tabs(admin_client, server):
    html = server_page(admin_client, server)
    tabs = re.findall(r'<a href="#tab-([\w-]+)" id="tab-link-\1" role="tab"[^>]*>([^<]+)</a>', html)
    assert tabs == [
        ("overview", "Overview"), ("disks", "Disks"),
        ("network", "Network &amp; security groups"), ("tasks", "Tasks"),
        ("console-log", "Console log"), ("console", "Console"),
    ]  # fmt: skip
    for anchor, _label in tabs:
        assert f'id="tab-{anchor}" role="tabpanel" aria-labelledby="tab-link-{anchor}"' in html
    assert 'data-active=""' in html  # the first tab unless a console log was asked for
    assert 'data-active="console-log"' in server_page(admin_client, server, console_lines="3")


def test_the_disks_tab_lists_the_system_and_data_disks_in_gb(admin_client, server):
    disks = section(server_page(admin_client, server), "disks")
    assert "5.0\xa0GB · cirros-0.6.2" in disks
    sizes = re.findall(r"<td>([\d.]+\xa0GB)</td>", disks)
    assert sizes == ["10.0\xa0GB", "20.0\xa0GB"]


def test_the_network_tab_names_the_network_and_lists_the_addresses(admin_client, server, catalog):
    network = section(server_page(admin_client, server), "network")
    name, ips = next(iter(server.addresses.items()))
    assert re.search(rf'field-network.*<div class="readonly">{name}</div>', network, re.S)
    assert f"{name}: {', '.join(ips)}" in network
    assert catalog["network_id"] not in network  # under Identifiers


def test_raw_ids_are_folded_away_under_identifiers(admin_client, server, catalog):
    overview = section(server_page(admin_client, server), "overview")
    folded = overview[overview.index("<details>") : overview.index("</details>") + 500]
    assert "Identifiers" in folded
    rest = overview.replace(folded, "")
    for raw in (server.backend_id, server.image_ref, catalog["network_id"]):
        assert raw in folded
        assert raw not in rest


def test_the_tasks_tab_says_what_who_when_how_it_went_and_how_long(admin_client, server):
    html = server_page(admin_client, server)
    tasks = section(html, "tasks")
    header = re.findall(r"<th>([\w ]+)</th>", tasks)
    assert header == ["task", "when", "progress"]
    assert f"<td>{task_sentence(server.current_task, server.name)}</td>" in tasks
    assert 'data-state="succeeded"' in tasks


def test_times_follow_the_language(admin_client, server):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    tasks = section(server_page(admin_client, server), "tasks")
    assert re.search(r"<td>\d{4}年\d+月\d+日 \d\d:\d\d</td>", tasks)


def test_the_page_asks_the_cloud_nothing(admin_client, server):
    # Reads of the cloud run as Tasks (console.py): the page queues none.
    before = Task.objects.count()
    server_page(admin_client, server)
    assert Task.objects.count() == before


def test_a_server_with_no_data_disk_or_task(admin_client, cloud, tenant):
    bare = ServerFactory(cloud=cloud, tenant=tenant, hypervisor_hostname="", addresses={})
    html = server_page(admin_client, bare)
    assert "Latest task" not in html
    assert re.search(r'field-data_disks.*<div class="readonly">none<p><a href=', html, re.S)
    assert f"/admin/servers/volume/?q={tenant.tenant_id}" in html
    assert re.search(r'field-ip_addresses.*<div class="readonly">-</div>', html, re.S)
