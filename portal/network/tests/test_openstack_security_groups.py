"""Security groups against the real Neutron and Nova (scripts/openstack-lite), through the
portal's API with its Celery jobs run eagerly and the real driver, for a tenant made in
the real Keystone:

    pytest -m openstack portal/network/tests/test_openstack_security_groups.py

A group made with three rules, updated to two others, attached to two servers and
detached from one, then deleted (refused while a server uses it); after each step the
admin's openstacksdk connection checks that Neutron and Nova hold exactly what the
portal says. And Neutron refusing a rule in the middle of an update (the project's rule
quota, set for real): the old rules stay and the Task says why.
"""

import pytest

from conftest import tenant_client
from portal.clouds.base import ServerSpec
from portal.clouds.drivers import get_driver
from portal.clouds.openstack.waiting import wait_for_server
from portal.clouds.tests.openstack.fixtures import REGION, RUN, delete_server
from portal.network.tests.security_group_helpers import LIST, call, detail, operate_url
from portal.servers.tests.factories import ServerFactory
from portal.tenants.tests.factories import TenantFactory, record_identity

pytestmark = [
    pytest.mark.openstack,
    pytest.mark.django_db,
    pytest.mark.usefixtures("run_commit_hooks"),
]

THREE_RULES = [
    {"direction": "ingress", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22,
     "remote_ip_prefix": "10.0.0.0/8", "rule_desc": "SSH"},
    {"direction": "ingress", "protocol": "icmpv6", "remote_ip_prefix": "fd00::/8"},
    {"direction": "egress", "protocol": "udp", "port_range_min": 53, "port_range_max": 53},
]  # fmt: skip
TWO_RULES = [
    {"direction": "ingress", "protocol": "tcp", "port_range_min": 80, "port_range_max": 443,
     "rule_desc": "web"},
    {"direction": "ingress", "protocol": "tcp", "port_range_min": 8080,
     "remote_ip_prefix": "2001:db8::/32"},
]  # fmt: skip


@pytest.fixture(scope="module")
def keystone_tenant(make_openstack_tenant):
    return make_openstack_tenant("secgroups")


@pytest.fixture
def tenant_api(openstack_cloud, keystone_tenant, openstack_cleanup, openstack_admin_sdk):
    """(portal tenant set up in the stack, its API client, its driver, its project id).
    Groups this run left behind in its project are deleted last, after its servers."""
    tenant = TenantFactory()
    record_identity(tenant, openstack_cloud, keystone_tenant)
    project_id = keystone_tenant.project_id

    def delete_leftover_groups():
        for group in openstack_admin_sdk.network.security_groups(project_id=project_id):
            if group.name.startswith(RUN):
                openstack_admin_sdk.network.delete_security_group(group.id)

    openstack_cleanup.add(delete_leftover_groups)
    return tenant, tenant_client(tenant), get_driver(openstack_cloud, keystone_tenant), project_id


STORED_PROTOCOL = {"icmpv6": "ipv6-icmp"}  # as Neutron keeps it


def neutron_rules(sdk, group_id) -> set[tuple]:
    return {
        (rule["direction"], rule["protocol"], rule["port_range_min"], rule["port_range_max"],
         rule["remote_ip_prefix"], rule["ethertype"], rule["description"] or "")
        for rule in sdk.network.get_security_group(group_id).security_group_rules
    }  # fmt: skip


def portal_rules(answer) -> set[tuple]:
    return {
        (rule["direction"], rule["protocol"], rule["port_range_min"], rule["port_range_max"],
         rule["remote_ip_prefix"], rule["ethertype"], rule["rule_desc"])
        for rule in answer["security_group_rules"]
    }  # fmt: skip


def requested(rules) -> set[tuple]:
    """What the request asks, in Neutron's words (a single port is min = max, icmpv6 is
    ipv6-icmp)."""
    return {
        (rule["direction"], STORED_PROTOCOL.get(rule["protocol"], rule["protocol"]),
         rule.get("port_range_min"),
         rule.get("port_range_max", rule.get("port_range_min")), rule.get("remote_ip_prefix"),
         "IPv6" if ":" in rule.get("remote_ip_prefix", "") else "IPv4", rule.get("rule_desc", ""))
        for rule in rules
    }  # fmt: skip


def check_neutron(sdk, answer, rules):
    group = sdk.network.get_security_group(answer["cloud_security_group_id"])
    assert (group.name, group.description) == (
        answer["security_group_name"], answer["security_group_desc"],
    )  # fmt: skip
    assert portal_rules(answer) == neutron_rules(sdk, group.id) == requested(rules)


def check_nova(sdk, servers):
    for server in servers:
        server.refresh_from_db()
        names = {
            group["name"] for group in sdk.compute.get_server(server.backend_id).security_groups
        }
        assert set(server.security_group_names) == names, server.name


@pytest.fixture
def two_servers(tenant_api, openstack_cloud, openstack_flavors, openstack_image, openstack_cleanup):
    """Two ACTIVE servers of the tenant, in the stack and as portal rows."""
    tenant, _client, driver, _project = tenant_api
    network = driver.network.create_network(f"{RUN}-sg-net")
    openstack_cleanup.add(driver.network.delete_network, network.id)
    driver.network.create_subnet(network.id, "10.98.0.0/24", name=f"{RUN}-sg-subnet")
    rows = []
    for number in (1, 2):
        info = driver.compute.create_server(
            ServerSpec(
                name=f"{RUN}-sg-{number}", flavor_id=openstack_flavors["small"].id,
                image_id=openstack_image.id, boot_volume_size=1, network_ids=[network.id],
            )
        )  # fmt: skip
        openstack_cleanup.add(delete_server, driver, info.id)
        rows.append((info.name, info.id))
    servers = []
    for name, server_id in rows:
        info = wait_for_server(driver, server_id, {"ACTIVE"}, timeout=300)
        servers.append(
            ServerFactory(
                tenant=tenant, cloud=openstack_cloud, name=name, backend_id=server_id,
                security_group_names=list(info.security_groups),
            )
        )  # fmt: skip
    return servers


def test_a_group_made_updated_attached_detached_and_deleted(
    tenant_api, two_servers, openstack_admin_sdk
):
    _tenant, client, _driver, _project = tenant_api
    sdk = openstack_admin_sdk
    body = {
        "security_group_name": f"{RUN}-web", "security_group_desc": "three rules",
        "region": REGION, "security_group_rule_sets": THREE_RULES,
    }  # fmt: skip
    made = call(client, "post", LIST, body)
    assert made["task"]["state"] == "succeeded", made["task"]
    check_neutron(sdk, made, THREE_RULES)

    url = detail(made["security_group_id"])
    body = {"security_group_desc": "two other rules", "security_group_rule_sets": TWO_RULES}
    updated = call(client, "put", url, body)
    assert updated["task"]["state"] == "succeeded", updated["task"]
    check_neutron(sdk, updated, TWO_RULES)

    one, two = two_servers
    ids = [one.instance_id, two.instance_id]
    operate = operate_url(made["security_group_id"])
    attached = call(client, "post", operate, {"instance_ids": ids, "ops_type": "attach"})
    assert attached["task"]["state"] == "succeeded", attached["task"]
    assert [s["outcome"] for s in attached["servers"]] == ["attached", "attached"]
    check_nova(sdk, two_servers)
    assert all(f"{RUN}-web" in server.security_group_names for server in two_servers)

    body = {"instance_ids": [one.instance_id], "ops_type": "detach"}
    detached = call(client, "post", operate, body)
    assert [s["outcome"] for s in detached["servers"]] == ["detached"]
    check_nova(sdk, two_servers)
    assert f"{RUN}-web" not in one.security_group_names
    assert f"{RUN}-web" in two.security_group_names

    refused = call(client, "delete", url, expect=409)
    assert refused["error"]["fields"]["instance_ids"] == [two.instance_id]
    body = {"instance_ids": [two.instance_id], "ops_type": "detach"}
    call(client, "post", operate, body)
    deleted = call(client, "delete", url)
    assert deleted["task"]["state"] == "succeeded", deleted["task"]
    assert sdk.network.find_security_group(made["cloud_security_group_id"]) is None
    check_nova(sdk, two_servers)


def test_neutron_refusing_a_rule_mid_update_leaves_the_old_rules(
    tenant_api, openstack_admin_sdk, openstack_cleanup
):
    _tenant, client, _driver, project_id = tenant_api
    sdk = openstack_admin_sdk
    body = {
        "security_group_name": f"{RUN}-quota", "region": REGION,
        "security_group_rule_sets": THREE_RULES,
    }  # fmt: skip
    made = call(client, "post", LIST, body)
    assert made["task"]["state"] == "succeeded", made["task"]
    # Neutron's rule quota for the project: room for one more rule, not two.
    in_use = len(list(sdk.network.security_group_rules(project_id=project_id)))
    sdk.network.update_quota(project_id, security_group_rules=in_use + 1)
    openstack_cleanup.add(sdk.network.delete_quota, project_id)

    body = {"security_group_name": f"{RUN}-renamed", "security_group_rule_sets": TWO_RULES}
    answer = call(client, "put", detail(made["security_group_id"]), body)

    task = answer["task"]
    assert (task["state"], task["error_code"]) == ("failed", "quota_exceeded"), task
    assert task["message"].startswith("The cloud refused rule 2 (ingress tcp 8080-8080")
    assert task["message"].endswith("The group keeps its former rules.")
    assert answer["security_group_name"] == f"{RUN}-quota"
    check_neutron(sdk, answer, THREE_RULES)
    sdk.network.delete_quota(project_id)
    assert call(client, "delete", detail(made["security_group_id"]))["task"]["state"] == (
        "succeeded"
    )
