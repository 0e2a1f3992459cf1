"""Floating IPs against the local OpenStack (scripts/openstack-lite): the admin makes an
external network (flat on physnet `public`), a tenant a network, subnet and router with a
gateway and an interface, and boots a server; through the portal's API the tenant
allocates a floating IP, associates it with the server, dissociates and releases it,
and Neutron (read with openstacksdk) holds exactly what the portal says after each step.
A server whose subnet has no router refuses the association: the Task fails with a clear
reason and nothing is left half-done. The jobs run eagerly.

    pytest -m openstack portal/servers/tests/test_openstack_floating_ips.py
"""

import ipaddress
import random

import pytest
from openstack import exceptions as sdk_exc

from conftest import tenant_client
from portal.clouds.base import ServerSpec
from portal.clouds.drivers import get_driver
from portal.clouds.openstack.waiting import wait_for_server
from portal.clouds.tests.openstack.fixtures import REGION, RUN, delete_server
from portal.network.models import FloatingIP
from portal.network.tests.factories import NetworkFactory
from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory
from portal.tenants import quotas
from portal.tenants.tests.factories import TenantFactory, record_identity

pytestmark = [
    pytest.mark.openstack,
    pytest.mark.django_db,
    pytest.mark.usefixtures("run_commit_hooks"),
]

LIST = "/api/v1/floating-ips"


def _random_block(prefix: int) -> str:
    """A /28 of 198.18.0.0/15 (the benchmarking range): runs on one stack rarely meet."""
    network = ipaddress.ip_network("198.18.0.0/15")
    blocks = list(network.subnets(new_prefix=prefix))
    return str(random.choice(blocks))


@pytest.fixture
def external_network(openstack_admin_sdk, openstack_cloud, openstack_cleanup):
    """The operator's external network, flat on physnet `public` (a VLAN on it when a
    flat network there exists already: Neutron allows one), with a subnet; mirrored."""
    sdk = openstack_admin_sdk.network
    name = f"{RUN}-fip-public"
    try:
        network = sdk.create_network(
            name=name, is_router_external=True,
            provider_network_type="flat", provider_physical_network="public",
        )  # fmt: skip
    except sdk_exc.ConflictException:
        network = sdk.create_network(
            name=name, is_router_external=True, provider_network_type="vlan",
            provider_physical_network="public", provider_segmentation_id=random.randint(2, 4000),
        )  # fmt: skip
    openstack_cleanup.add(sdk.delete_network, network.id, ignore_missing=True)
    sdk.create_subnet(
        network_id=network.id, cidr=_random_block(28), ip_version=4, name=f"{name}-subnet"
    )
    NetworkFactory(
        cloud=openstack_cloud, backend_id=network.id, name=name, project_id=network.project_id,
        shared=False, external=True,
    )  # fmt: skip
    return network


@pytest.fixture
def tenant_setup(openstack_cloud, make_openstack_tenant, request):
    """A portal tenant signed up in the real Keystone (one per test: names are unique)."""
    credentials = make_openstack_tenant(f"fip-{request.node.name[5:15]}")
    tenant = TenantFactory()
    record_identity(tenant, openstack_cloud, credentials)
    return tenant, get_driver(openstack_cloud, credentials), credentials.project_id


def boot_server(openstack_cloud, tenant, driver, network_id, label, image, flavors, cleanup):
    spec = ServerSpec(
        name=f"{RUN}-fip-{label}", flavor_id=flavors["small"].id, image_id=image.id,
        boot_volume_size=1, network_ids=[network_id],
    )  # fmt: skip
    created = driver.compute.create_server(spec)
    cleanup.add(delete_server, driver, created.id)
    info = wait_for_server(driver, created.id, {"ACTIVE"})
    return ServerFactory(
        cloud=openstack_cloud, tenant=tenant, backend_id=info.id, runtime_state="ACTIVE",
        addresses=info.addresses,
    )  # fmt: skip


def tenant_network(driver, label, cleanup):
    network = driver.network.create_network(f"{RUN}-fip-{label}-net")
    cleanup.add(driver.network.delete_network, network.id)
    subnet = driver.network.create_subnet(network.id, "10.96.0.0/24", name=f"{RUN}-fip-{label}")
    return network, subnet


def allocate(client, external_network):
    body = {"region": REGION, "external_network_id": external_network.id}
    answer = client.post(f"{LIST}?wait=30", body, format="json")
    assert answer.status_code == 202, answer.content
    return answer.json()


def test_allocate_associate_dissociate_release(
    openstack_cloud, openstack_admin_sdk, tenant_setup, external_network, openstack_image,
    openstack_flavors, openstack_cleanup,
):  # fmt: skip
    tenant, driver, project_id = tenant_setup
    network, subnet = tenant_network(driver, "ok", openstack_cleanup)
    router = driver.network.create_router(
        f"{RUN}-fip-router", external_network_id=external_network.id
    )
    openstack_cleanup.add(driver.network.delete_router, router.id)
    driver.network.add_router_interface(router.id, subnet.id)
    openstack_cleanup.add(driver.network.remove_router_interface, router.id, subnet.id)
    server = boot_server(
        openstack_cloud, tenant, driver, network.id, "vm", openstack_image, openstack_flavors,
        openstack_cleanup,
    )  # fmt: skip
    client = tenant_client(tenant)
    sdk = openstack_admin_sdk.network

    allocated = allocate(client, external_network)
    assert allocated["task"]["state"] == "succeeded", allocated["task"]
    uuid = allocated["floating_ip_uuid"]
    openstack_cleanup.add(sdk.delete_ip, uuid, ignore_missing=True)
    held = sdk.get_ip(uuid)
    assert held.floating_ip_address == allocated["floating_ip_address"]
    assert held.floating_network_id == external_network.id
    assert held.project_id == project_id
    assert held.port_id is None
    assert quotas.usage_of(tenant)["floating_ips"] == 1

    fip = allocated["floating_ip_id"]
    body = {"instance_id": server.instance_id, "ops_type": "associate"}
    answer = client.post(f"{LIST}/{fip}/operate?wait=60", body, format="json").json()
    assert answer["task"]["state"] == "succeeded", answer["task"]
    held = sdk.get_ip(uuid)
    port = next(sdk.ports(device_id=server.backend_id))
    assert held.port_id == port.id == answer["port_id"]
    assert held.fixed_ip_address == answer["fixed_ip_address"]
    assert answer["fixed_ip_address"] == port.fixed_ips[0]["ip_address"]
    assert answer["instance_id"] == server.instance_id
    server.refresh_from_db()
    assert allocated["floating_ip_address"] in server.addresses[network.name]
    nova = openstack_admin_sdk.compute.get_server(server.backend_id).addresses[network.name]
    assert allocated["floating_ip_address"] in [entry["addr"] for entry in nova]

    body["ops_type"] = "dissociate"
    answer = client.post(f"{LIST}/{fip}/operate?wait=60", body, format="json").json()
    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert sdk.get_ip(uuid).port_id is None
    assert answer["instance_id"] is None
    server.refresh_from_db()
    assert allocated["floating_ip_address"] not in str(server.addresses)

    answer = client.delete(f"{LIST}/{fip}?wait=30").json()
    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert sdk.find_ip(uuid) is None
    assert not FloatingIP.objects.filter(floating_ip_id=fip).exists()
    assert quotas.usage_of(tenant)["floating_ips"] == 0


def test_association_without_a_router_fails_and_leaves_nothing_half_done(
    openstack_cloud, openstack_admin_sdk, tenant_setup, external_network, openstack_image,
    openstack_flavors, openstack_cleanup,
):  # fmt: skip
    tenant, driver, _project_id = tenant_setup
    network, _subnet = tenant_network(driver, "norouter", openstack_cleanup)
    server = boot_server(
        openstack_cloud, tenant, driver, network.id, "lonely", openstack_image,
        openstack_flavors, openstack_cleanup,
    )  # fmt: skip
    client = tenant_client(tenant)
    allocated = allocate(client, external_network)
    uuid = allocated["floating_ip_uuid"]
    openstack_cleanup.add(openstack_admin_sdk.network.delete_ip, uuid, ignore_missing=True)
    fip = allocated["floating_ip_id"]

    body = {"instance_id": server.instance_id, "ops_type": "associate"}
    answer = client.post(f"{LIST}/{fip}/operate?wait=60", body, format="json").json()
    assert answer["task"]["state"] == "failed"
    assert answer["task"]["error_code"] == "no_route_to_external_network"
    assert "no router joins" in answer["task"]["message"]
    assert answer["state"] == "ready"
    assert openstack_admin_sdk.network.get_ip(uuid).port_id is None
    assert quotas.usage_of(tenant)["floating_ips"] == 1
    assert Server.objects.get(pk=server.pk).addresses == server.addresses

    assert client.delete(f"{LIST}/{fip}?wait=30").json()["task"]["state"] == "succeeded"
    assert openstack_admin_sdk.network.find_ip(uuid) is None
    assert quotas.usage_of(tenant)["floating_ips"] == 0
