"""The Task list, the audit log and a server's page tell what happened as sentences:
who did what to which target, for which tenant, how it ended and how long it took."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.core.models import AuditEvent, Task
from portal.core.sentences import audit_sentence, task_sentence
from portal.core.tests.factories import TaskFactory
from portal.core.tests.queries import count_queries
from portal.servers.locking import OPERATE_KIND, SERVER_TARGET
from portal.servers.task_messages import PowerMessages, runtime_state_label
from portal.servers.tests.factories import ServerFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/core/task/"


def finished_task(server, *, kind=OPERATE_KIND, action="stop", seconds=4, **fields):
    started = timezone.now() - timedelta(minutes=1)
    fields = {"state": Task.State.SUCCEEDED, **fields}
    return TaskFactory(
        kind=kind, action=action, target_type=SERVER_TARGET, target_id=server.instance_id,
        tenant=server.tenant, requested_by="staff:admin", started=started,
        finished=started + timedelta(seconds=seconds), **fields,
    )  # fmt: skip


def test_a_task_reads_as_who_did_what_to_which_server_and_how_it_went(admin_client):
    server = ServerFactory(name="web-1")
    task = finished_task(
        server, message=PowerMessages.SETTLED(state=runtime_state_label("SHUTOFF"))
    )

    page = admin_client.get(LIST).content.decode()

    sentence = f"admin stopped web-1 ({server.tenant.tenant_id}): succeeded, 4 s"
    assert sentence in page
    assert "The server is shut off." in page  # the message, its state by label
    assert task_sentence(task) == sentence.replace("web-1", server.instance_id)  # not named


def test_long_runs_failures_and_the_portal_s_own_actors(admin_client):
    server = ServerFactory(name="db-2")
    finished_task(server, kind="server.resize", action="", seconds=3725, state=Task.State.FAILED)
    TaskFactory(kind="servers.sync", requested_by="system:beat", target_type="cloud",
                target_id=str(server.cloud.pk), state=Task.State.QUEUED)  # fmt: skip

    page = admin_client.get(LIST, {"scheduled": "shown"}).content.decode()

    assert "admin resized server db-2 (" in page
    assert "): failed, 1 h 2 min" in page
    assert f"the scheduler synced the servers of {server.cloud.name}: queued" in page


def test_the_task_list_costs_the_same_queries_for_many_rows_and_kinds(admin_client):
    finished_task(ServerFactory())
    few = count_queries(admin_client, LIST)
    for _ in range(5):
        server = ServerFactory()
        finished_task(server)
        finished_task(server, kind="server.delete", action="")
        TaskFactory(kind="flavors.sync", target_type="cloud", target_id=str(server.cloud.pk))
        TaskFactory(kind="tenant.provision", target_type="tenant", target_id=server.tenant_id)
    TaskFactory(kind="someone.elses", target_type="unknown")
    assert count_queries(admin_client, LIST) <= few + 3  # one per other kind of target


def test_the_server_page_lists_its_tasks_as_sentences(admin_client):
    server = ServerFactory(name="web-3")
    finished_task(server, action="start", seconds=75)
    page = admin_client.get(f"/admin/servers/server/{server.pk}/change/").content.decode()
    assert f"admin started web-3 ({server.tenant.tenant_id}): succeeded, 1 min 15 s" in page


def test_the_audit_log_reads_as_sentences_in_constant_queries(client, staff_user):
    def event(**fields):
        return AuditEvent.objects.create(
            **{"actor_type": "staff", "actor": "operator", "method": "POST", "path": "/x",
               "status_code": 202, "request_id": "r", **fields}
        )  # fmt: skip

    deleted = event(action="api:server-detail DELETE", method="DELETE", object_id="i-9",
                    tenant_id="t-0000000007", status_code=409)  # fmt: skip
    changed = event(action="admin:clouds_cloud_change POST", object_id="3", status_code=302)
    acted = event(action="api:server-action POST", object_id="i-9", status_code=500)
    assert audit_sentence(deleted) == "operator deleted server i-9 (t-0000000007): refused (409)"
    assert audit_sentence(changed) == "operator changed cloud 3: done (302)"
    assert audit_sentence(acted) == "operator acted on server i-9: failed (500)"

    client.force_login(staff_user)
    few = count_queries(client, "/admin/core/auditevent/")
    for number in range(20):
        event(action="api:image-list POST", object_id=str(number))
    assert count_queries(client, "/admin/core/auditevent/") == few


def test_the_kind_filter_names_each_kind(admin_client):
    server = ServerFactory(name="web-4")
    finished_task(server, kind="server.delete", action="")
    finished_task(ServerFactory(name="web-5"))
    page = admin_client.get(LIST)
    choices = [
        choice["display"]
        for choice in page.context["cl"].filter_specs[1].choices(page.context["cl"])
    ]
    assert choices[1:] == ["power operation", "server deletion"]
    listed = admin_client.get(LIST, {"kind": "server.delete"}).context["cl"].result_list
    assert [task.target_id for task in listed] == [server.instance_id]
