"""VPCs and routers against the real Neutron (scripts/openstack-lite): the portal's API,
services and jobs (run eagerly) with the real driver, for a tenant signed up in the real
Keystone. After each step, openstacksdk (the admin's) must show exactly what the portal
says. Everything is named `<RUN>-...` and removed at the end.

    pytest -m openstack portal/network/tests/test_openstack_vpcs.py
"""

import contextlib
import uuid

import pytest
from openstack import exceptions as sdk_exc

from conftest import tenant_client
from portal.clouds.tests.openstack.fixtures import RUN
from portal.core.models import Task
from portal.network.models import Network
from portal.network.workflows import sync_network
from portal.tenants.models import TenantIdCounter, TenantIdentity
from portal.tenants.signup import register_tenant

pytestmark = [
    pytest.mark.openstack,
    pytest.mark.django_db,
    pytest.mark.usefixtures("run_commit_hooks"),
]


@pytest.fixture
def cloud(openstack_reachable):
    from portal.clouds.tests.openstack.fixtures import register_openstack_cloud

    return register_openstack_cloud(make_default=True)


@pytest.fixture
def sdk(openstack_admin_sdk):
    return openstack_admin_sdk


@pytest.fixture
def tenant(cloud, sdk, openstack_cleanup):
    """A tenant signed up through the portal (its Keystone objects made for real), its id
    from a random point: the stack is shared, and sign-up names the domain after it."""
    TenantIdCounter.objects.update_or_create(
        pk=1, defaults={"last_number": uuid.uuid4().int % 9_000_000_000 + 10**9}
    )
    tenant, _key, task = register_tenant(f"{RUN}-vpc-tenant", actor="test")
    task.refresh_from_db()
    assert task.state == Task.State.SUCCEEDED, task.message
    identity = TenantIdentity.objects.get(tenant=tenant, cloud=cloud)
    for delete, object_id in (
        (sdk.identity.delete_domain, identity.domain_id),
        (sdk.identity.delete_project, identity.project_id),
        (sdk.identity.delete_user, identity.user_id),
        (sdk.identity.delete_role, identity.role_id),
    ):
        openstack_cleanup.add(_quietly, delete, object_id)
    openstack_cleanup.add(
        _quietly, sdk.identity.update_domain, identity.domain_id, is_enabled=False
    )
    openstack_cleanup.add(_remove_project_networking, sdk, identity.project_id)
    return tenant


@pytest.fixture
def external_network(cloud, sdk, openstack_cleanup):
    """The operator's external network: the stack's if it has one, else a flat network on
    the physnet `public` made here (Neutron allows one flat network per physnet, so one
    made meanwhile by someone else is taken instead)."""
    found = next(iter(sdk.network.networks(is_router_external=True)), None)
    if found is None:
        try:
            found = sdk.network.create_network(
                name=f"{RUN}-public", is_router_external=True, provider_network_type="flat",
                provider_physical_network="public",
            )  # fmt: skip
            sdk.network.create_subnet(
                network_id=found.id, cidr="198.18.0.0/24", ip_version=4, name=f"{RUN}-public"
            )
            openstack_cleanup.add(_delete_if_unused, sdk, found.id)
        except sdk_exc.ConflictException:
            found = next(iter(sdk.network.networks(is_router_external=True)))
    sync_network(cloud, _admin_driver(cloud))
    return found


def _admin_driver(cloud):
    from portal.clouds.drivers import get_driver

    return get_driver(cloud)


def _quietly(func, *args, **kwargs):
    with contextlib.suppress(sdk_exc.NotFoundException):
        func(*args, **kwargs)


def _delete_if_unused(sdk, network_id):
    # Another engineer's router may hold its gateway there: leave it to them then.
    with contextlib.suppress(sdk_exc.NotFoundException, sdk_exc.ConflictException):
        sdk.network.delete_network(network_id)


def _remove_project_networking(sdk, project_id):
    """Whatever a failed test left in the tenant's project: routers, then networks."""
    for router in sdk.network.routers(project_id=project_id):
        sdk.network.update_router(router, routes=[], external_gateway_info={})
        for port in sdk.network.ports(device_id=router.id, device_owner="network:router_interface"):
            for fixed_ip in port.fixed_ips:
                sdk.network.remove_interface_from_router(router, subnet_id=fixed_ip["subnet_id"])
        sdk.network.delete_router(router)
    for network in sdk.network.networks(project_id=project_id):
        sdk.network.delete_network(network)


def call(api, method, url, body=None, expect=202):
    answer = getattr(api, method)(f"/api/v1{url}", body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def done(answer):
    task = Task.objects.get(pk=answer["task"]["task_id"])
    assert task.state == Task.State.SUCCEEDED, (task.kind, task.error_code, task.message)
    return answer


def neutron_vpc(sdk, network_id):
    network = sdk.network.get_network(network_id)
    subnets = sorted(subnet.cidr for subnet in sdk.network.subnets(network_id=network_id))
    return network.name, network.description, subnets


def neutron_router(sdk, router_id):
    router = sdk.network.get_router(router_id)
    ports = sdk.network.ports(device_id=router_id, device_owner="network:router_interface")
    subnets = sorted(ip["subnet_id"] for port in ports for ip in port.fixed_ips)
    gateway = (router.external_gateway_info or {}).get("network_id") or ""
    routes = sorted((r["destination"], r["nexthop"]) for r in router.routes or [])
    return gateway, subnets, routes


def portal_router(answer):
    subnets = sorted(i["cloud_subnet_id"] for i in answer["interfaces"])
    routes = sorted((r["destination"], r["nexthop"]) for r in answer["routes"])
    return answer["external_network_id"], subnets, routes


def test_a_vpc_with_two_subnets_and_a_router_with_a_gateway_interface_and_route(
    cloud, external_network, tenant, sdk
):
    # external_network comes before tenant: its removal then runs after the tenant's
    # routers (which may hold their gateway on it) are gone.
    api = tenant_client(tenant)
    body = {"vpc_name": f"{RUN}-vpc", "vpc_desc": "integration", "subnet": "10.61.0.0/24"}
    vpc = done(call(api, "post", "/vpcs", body))
    network_id = vpc["cloud_vpc_id"]
    assert neutron_vpc(sdk, network_id) == (f"{RUN}-vpc", "integration", ["10.61.0.0/24"])
    assert sdk.network.get_network(network_id).project_id == tenant.identities.get().project_id

    vpc = done(call(api, "post", f"/vpcs/{vpc['vpc_id']}/subnets", {"cidr": "10.62.0.0/24"}))
    assert vpc["subnet"] == ["10.61.0.0/24", "10.62.0.0/24"]
    assert neutron_vpc(sdk, network_id)[2] == vpc["subnet"]
    overlap = call(api, "post", f"/vpcs/{vpc['vpc_id']}/subnets", {"cidr": "10.62.0.0/25"}, 409)
    assert overlap["error"]["code"] == "cidr_overlaps"

    vpc = done(call(api, "patch", f"/vpcs/{vpc['vpc_id']}", {"vpc_desc": "renamed"}))
    assert (
        neutron_vpc(sdk, network_id)[:2]
        == (f"{RUN}-vpc", "renamed")
        == (vpc["vpc_name"], vpc["vpc_desc"])
    )

    router = done(call(api, "post", "/routers", {"router_name": f"{RUN}-router"}))
    router_path = f"/routers/{router['router_id']}"
    router = done(call(api, "patch", router_path, {"router_name": f"{RUN}-core"}))
    assert sdk.network.get_router(router["cloud_router_id"]).name == router["router_name"]
    assert neutron_router(sdk, router["cloud_router_id"]) == portal_router(router) == ("", [], [])
    router = done(
        call(api, "post", f"{router_path}/gateway", {"external_network_id": external_network.id})
    )
    assert neutron_router(sdk, router["cloud_router_id"]) == portal_router(router)
    assert router["external_network_id"] == external_network.id

    first = vpc["subnets"][0]
    router = done(call(api, "post", f"{router_path}/interfaces", {"subnet_id": first["subnet_id"]}))
    assert neutron_router(sdk, router["cloud_router_id"]) == portal_router(router)
    assert portal_router(router)[1] == [first["cloud_subnet_id"]]

    entry = {"destination": "172.20.0.0/16", "nexthop": "10.61.0.10"}
    router = done(call(api, "post", f"{router_path}/routes", entry))
    assert neutron_router(sdk, router["cloud_router_id"]) == portal_router(router)
    assert router["routes"] == [entry]
    shown = call(api, "get", router_path, expect=200)
    assert portal_router(shown) == neutron_router(sdk, router["cloud_router_id"])
    in_use = call(api, "delete", f"/vpcs/{vpc['vpc_id']}", expect=409)
    assert in_use["error"]["code"] == "vpc_in_use"

    # The pull finds the same.
    sync_network(cloud, _admin_driver(cloud))
    assert portal_router(call(api, "get", router_path, expect=200)) == portal_router(router)
    assert call(api, "get", f"/vpcs/{vpc['vpc_id']}", expect=200)["subnet"] == vpc["subnet"]

    # Taken apart again, checked at each step.
    query = "?destination=172.20.0.0/16&nexthop=10.61.0.10"
    router = done(call(api, "delete", f"{router_path}/routes{query}"))
    assert neutron_router(sdk, router["cloud_router_id"]) == portal_router(router)
    router = done(call(api, "delete", f"{router_path}/interfaces/{first['subnet_id']}"))
    assert neutron_router(sdk, router["cloud_router_id"]) == portal_router(router)
    router = done(call(api, "delete", f"{router_path}/gateway"))
    assert neutron_router(sdk, router["cloud_router_id"]) == portal_router(router) == ("", [], [])
    done(call(api, "delete", router_path))
    with pytest.raises(sdk_exc.NotFoundException):
        sdk.network.get_router(router["cloud_router_id"])
    second = vpc["subnets"][1]
    vpc = done(call(api, "delete", f"/vpcs/{vpc['vpc_id']}/subnets/{second['subnet_id']}"))
    assert neutron_vpc(sdk, network_id)[2] == vpc["subnet"] == ["10.61.0.0/24"]
    done(call(api, "delete", f"/vpcs/{vpc['vpc_id']}"))
    with pytest.raises(sdk_exc.NotFoundException):
        sdk.network.get_network(network_id)


def test_neutron_refusing_the_subnet_leaves_no_network_and_fails_the_task(cloud, tenant, sdk):
    """Neutron's own refusal mid-way: the tenant's project may have no subnet (its
    Neutron quota), so the network is made, the subnet refused, the network removed."""
    project_id = tenant.identities.get().project_id
    sdk.network.update_quota(project_id, subnets=0)
    api = tenant_client(tenant)
    body = {"vpc_name": f"{RUN}-refused", "subnet": "10.63.0.0/24"}
    answer = call(api, "post", "/vpcs", body)
    task = Task.objects.get(pk=answer["task"]["task_id"])
    assert task.state == Task.State.FAILED
    assert task.message
    assert task.error_code
    assert answer["portal_state"] == "failed"
    assert answer["state_message"] == task.message
    assert list(sdk.network.networks(project_id=project_id)) == []
    assert Network.objects.get(vpc_id=answer["vpc_id"]).backend_id is None
