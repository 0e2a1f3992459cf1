"""Fixtures of the VPC and router tests: a tenant set up in the simulator, its own driver,
and an external network the operator made."""

import pytest

from portal.clouds.simulator.driver import SimulatorDriver
from portal.network.workflows import sync_network
from portal.servers.tests.factories import make_identity
from portal.tenants.credentials import tenant_credentials


@pytest.fixture
def identity(tenant, cloud):
    return make_identity(tenant, cloud)


@pytest.fixture
def other_identity(other_tenant, cloud):
    return make_identity(other_tenant, cloud)


@pytest.fixture
def own_driver(cloud, identity):
    """The tenant's own driver (its project's view of the cloud)."""
    return SimulatorDriver(cloud, tenant_credentials(identity))


@pytest.fixture
def external_network(cloud, driver):
    """An external network with a subnet (the operator's), mirrored."""
    network = driver.network.create_network("public", external=True, shared=False)
    driver.network.create_subnet(network.id, "203.0.113.0/24")
    sync_network(cloud, driver)
    return network
