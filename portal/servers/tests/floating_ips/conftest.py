"""The floating IP tests' fixtures, on the simulator: an external network, the tenant's
router to it from the demo subnet, a server of the tenant, an allocated floating IP."""

import pytest

from portal.clouds.simulator.driver import SimulatorDriver
from portal.network.workflows import sync_network
from portal.servers.models import Server
from portal.tenants.credentials import tenant_credentials

EXTERNAL_CIDR = "203.0.113.0/29"  # 5 addresses once the gateway has one


@pytest.fixture
def external(cloud, catalog):
    """An external network (the operator's), mirrored into the portal."""
    admin = SimulatorDriver(cloud)
    network = admin.network.create_network("public", external=True)
    admin.network.create_subnet(network.id, EXTERNAL_CIDR)
    sync_network(cloud, admin)
    return network


@pytest.fixture
def tenant_driver(identity, cloud):
    return SimulatorDriver(cloud, tenant_credentials(identity))


@pytest.fixture
def router(tenant_driver, external, catalog):
    """The tenant's router from the demo subnet (the servers') to the external network."""
    router = tenant_driver.network.create_router("gw", external_network_id=external.id)
    tenant_driver.network.add_router_interface(router.id, catalog["subnet_id"])
    return router


@pytest.fixture
def server(identity, client_of_tenant, create_body):
    body = create_body(data_disks=[])
    answer = client_of_tenant.post("/api/v1/instances", body, format="json")
    assert answer.status_code == 202, answer.content
    return Server.objects.get(instance_id=answer.json()["instance_id"])


@pytest.fixture
def allocated(identity, client_of_tenant, external):
    """A floating IP the tenant allocated through the API (the job runs eagerly)."""
    answer = client_of_tenant.post("/api/v1/floating-ips", {}, format="json")
    assert answer.status_code == 202, answer.content
    return answer.json()
