"""Attaching a security group to servers and detaching it, through Nova (the simulator),
and deleting a group servers still use."""

import pytest

from portal.clouds.base import ServerSpec
from portal.clouds.simulator.demo import seed_demo_cloud
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.network.models import SecurityGroup
from portal.network.tests.security_group_helpers import LIST, SSH, call, detail, operate_url
from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory, make_identity
from portal.tenants.credentials import tenant_credentials

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


@pytest.fixture
def identity(tenant, cloud):
    return make_identity(tenant, cloud)


@pytest.fixture
def tenant_cloud(cloud, identity):
    return SimulatorDriver(cloud, tenant_credentials(identity))


@pytest.fixture
def make_server(cloud, tenant, tenant_cloud):
    """A server in the simulated Nova and its row in the portal."""
    demo = seed_demo_cloud(cloud)

    def make(name):
        info = tenant_cloud.compute.create_server(
            ServerSpec(
                name=name, flavor_id=demo["flavors"]["m1.small"],
                image_id=demo["images"]["cirros-0.6.2"], boot_volume_size=5,
                network_ids=[demo["network_id"]],
            )
        )  # fmt: skip
        return ServerFactory(
            tenant=tenant, cloud=cloud, name=name, backend_id=info.id,
            security_group_names=list(info.security_groups),
        )  # fmt: skip

    return make


@pytest.fixture
def group(client_of_tenant, identity):
    body = {"security_group_name": "web", "security_group_rule_sets": [SSH]}
    return call(client_of_tenant, "post", LIST, body)


def nova_groups(tenant_cloud, server):
    return sorted(tenant_cloud.compute.get_server(server.backend_id).security_groups)


def operate(client, group, servers, ops_type, expect=202):
    body = {"instance_ids": [server.instance_id for server in servers], "ops_type": ops_type}
    return call(client, "post", operate_url(group["security_group_id"]), body, expect)


def test_attach_to_two_servers_and_detach_from_one(
    client_of_tenant, group, make_server, tenant_cloud
):
    one, two = make_server("one"), make_server("two")

    answer = operate(client_of_tenant, group, [one, two], "attach")

    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert [(s["instance_name"], s["outcome"]) for s in answer["servers"]] == [
        ("one", "attached"), ("two", "attached"),
    ]  # fmt: skip
    for server in (one, two):
        assert nova_groups(tenant_cloud, server) == ["default", "web"]
        server.refresh_from_db()
        assert server.security_group_names == ["default", "web"]

    answer = operate(client_of_tenant, group, [one], "detach")

    assert [s["outcome"] for s in answer["servers"]] == ["detached"]
    shown = call(client_of_tenant, "get", detail(group["security_group_id"]), expect=200)
    assert shown["operated_servers"] == answer["servers"]
    assert nova_groups(tenant_cloud, one) == ["default"]
    assert nova_groups(tenant_cloud, two) == ["default", "web"]
    assert SecurityGroup.objects.get(name="web").status == "ready"


def test_attaching_twice_leaves_the_server_unchanged(client_of_tenant, group, make_server):
    one = make_server("one")
    operate(client_of_tenant, group, [one], "attach")
    answer = operate(client_of_tenant, group, [one], "attach")
    assert answer["task"]["state"] == "succeeded"
    assert [s["outcome"] for s in answer["servers"]] == ["unchanged"]


def test_one_server_refused_is_reported_and_fails_the_task(
    client_of_tenant, group, make_server, cloud, tenant_cloud
):
    one, two = make_server("one"), make_server("two")
    inject_fault(cloud, "compute.add_security_group", mode="conflict")

    answer = operate(client_of_tenant, group, [one, two], "attach")

    assert answer["task"]["state"] == "failed"
    assert [s["outcome"] for s in answer["servers"]] == ["failed", "attached"]
    assert answer["task"]["message"].startswith("1 of 2 servers failed (one): ")
    assert nova_groups(tenant_cloud, one) == ["default"]
    assert SecurityGroup.objects.get(name="web").status == "ready"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"instance_ids": ["no-such-server"], "ops_type": "attach"}, 404),
        ({"instance_ids": [], "ops_type": "attach"}, 400),
        ({"ops_type": "attach"}, 400),
        ({"instance_ids": ["x"], "ops_type": "reboot"}, 400),
    ],
)
def test_bad_operate_requests(client_of_tenant, group, body, status):
    call(client_of_tenant, "post", operate_url(group["security_group_id"]), body, status)
    assert SecurityGroup.objects.get(name="web").current_task.kind == "security_group.create"


def test_a_server_not_built_yet_is_409(client_of_tenant, group, tenant, cloud):
    pending = ServerFactory(tenant=tenant, cloud=cloud, backend_id=None, status="creating")
    answer = operate(client_of_tenant, group, [pending], "attach", expect=409)
    assert answer["error"]["code"] == "invalid_state"


def test_another_tenants_server_is_404(client_of_tenant, group, other_tenant, cloud):
    theirs = ServerFactory(tenant=other_tenant, cloud=cloud)
    answer = operate(client_of_tenant, group, [theirs], "attach", expect=404)
    assert answer["error"]["fields"]["instance_ids"] == [theirs.instance_id]


def test_another_tenants_group_is_404(client_of_other_tenant, group, other_tenant, cloud):
    theirs = ServerFactory(tenant=other_tenant, cloud=cloud)
    operate(client_of_other_tenant, group, [theirs], "attach", expect=404)


def test_a_group_servers_use_cannot_be_deleted(
    client_of_tenant, group, make_server, tenant_cloud, cloud, tenant
):
    one = make_server("one")
    operate(client_of_tenant, group, [one], "attach")
    ServerFactory(tenant=tenant, cloud=cloud, security_group_names=["web"], status="deleted")

    answer = call(client_of_tenant, "delete", detail(group["security_group_id"]), expect=409)

    assert answer["error"]["code"] == "in_use"
    assert f"one ({one.instance_id})" in answer["error"]["message"]
    assert answer["error"]["fields"]["instance_ids"] == [one.instance_id]
    operate(client_of_tenant, group, [one], "detach")
    answer = call(client_of_tenant, "delete", detail(group["security_group_id"]))
    assert answer["task"]["state"] == "succeeded"
    assert "web" not in [g.name for g in tenant_cloud.network.list_security_groups()]


def test_the_default_group_cannot_be_deleted(client_of_tenant, tenant, cloud, identity):
    default = SecurityGroup.objects.create(
        tenant=tenant, cloud=cloud, name="default", backend_id="sg-default"
    )
    answer = call(client_of_tenant, "delete", detail(default.security_group_id), expect=409)
    assert answer["error"]["code"] == "in_use"
    assert not Server.objects.exists()
