"""What a server's state allows (`available_actions`), as the API shows it and refuses the
rest."""

import pytest

from portal.servers.locking import TENANT_OPERATIONS, available_actions
from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory
from portal.servers.tests.test_instance_actions import operate, post
from portal.servers.tests.test_instances import detail

pytestmark = pytest.mark.django_db

READY, RESIZED, FAILED = Server.Status.READY, Server.Status.RESIZED, Server.Status.FAILED


@pytest.mark.parametrize(
    ("status", "runtime_state", "operator", "expected"),
    [
        (
            READY, "ACTIVE", False,
            ["stop", "softreboot", "hardreboot", "suspend", "resize", "delete"],
        ),
        (
            READY, "ACTIVE", True,
            ["stop", "softreboot", "hardreboot", "suspend", "pause", "lock", "unlock", "resize",
             "delete"],
        ),
        (READY, "SHUTOFF", False, ["start", "hardreboot", "resize", "delete"]),
        (READY, "SUSPENDED", False, ["hardreboot", "resume", "delete"]),
        (READY, "PAUSED", True, ["hardreboot", "unpause", "lock", "unlock", "delete"]),
        (READY, "ERROR", False, ["stop", "hardreboot", "delete"]),
        (RESIZED, "VERIFY_RESIZE", False, ["confirm", "revert", "delete"]),
        (FAILED, "", False, ["delete"]),
        (Server.Status.CREATING, "", True, []),
        (Server.Status.RESIZING, "RESIZE", True, []),
        (Server.Status.DELETED, "DELETED", True, []),
    ],
)  # fmt: skip
def test_the_state_decides_the_actions(status, runtime_state, operator, expected):
    server = ServerFactory.build(status=status, runtime_state=runtime_state)
    assert available_actions(server, operator=operator) == expected


def test_none_while_an_operation_holds_the_lock():
    server = ServerFactory.build(locked=True)
    assert available_actions(server, operator=True) == []


def test_the_api_shows_them_to_the_tenant_and_to_operators(
    tenant, cloud, client_of_tenant, staff_client
):
    server = ServerFactory(tenant=tenant, cloud=cloud, runtime_state="SHUTOFF")
    url = detail(server.instance_id)
    assert client_of_tenant.get(url).json()["available_actions"] == [
        "start", "hardreboot", "resize", "delete",
    ]  # fmt: skip
    assert staff_client.get(url).json()["available_actions"] == [
        "start", "hardreboot", "lock", "unlock", "resize", "delete",
    ]  # fmt: skip


@pytest.mark.parametrize("runtime_state", ["ACTIVE", "SHUTOFF", "SUSPENDED"])
def test_the_api_refuses_what_they_leave_out(tenant, cloud, client_of_tenant, runtime_state):
    server = ServerFactory(tenant=tenant, cloud=cloud, runtime_state=runtime_state)
    actions = available_actions(server)
    for operate_type in set(TENANT_OPERATIONS) - set(actions):
        operate(client_of_tenant, server, operate_type, expect=409)
    for decision in ("confirm", "revert"):
        post(client_of_tenant, detail(server.instance_id, f"resize-{decision}"), {}, expect=409)
    server.refresh_from_db()
    assert not server.locked
    assert client_of_tenant.get(detail(server.instance_id)).json()["available_actions"] == actions


def test_the_admin_server_page_shows_the_buttons_they_allow(client, staff_user, tenant, cloud):
    client.force_login(staff_user)
    server = ServerFactory(tenant=tenant, cloud=cloud, runtime_state="SHUTOFF")
    content = client.get(f"/admin/servers/server/{server.pk}/change/").content.decode()
    shown = {
        operation
        for operation in [*TENANT_OPERATIONS, "confirm", "revert", "delete"]
        if f"/admin/servers/server/{server.pk}/operate/{operation}/" in content
    }
    assert shown == {"start", "hardreboot", "delete"}
    assert f"/admin/servers/server/{server.pk}/resize/" in content
