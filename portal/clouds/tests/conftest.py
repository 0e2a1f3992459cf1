"""Drivers of the simulated cloud (the root conftest's `cloud`): its admin and the users of
two tenants, and its demo content."""

import pytest

from portal.clouds.simulator.demo import seed_demo_cloud
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.testing import boot_spec, make_tenant


@pytest.fixture
def admin(cloud):
    return SimulatorDriver(cloud)


@pytest.fixture
def alpha(cloud):
    return SimulatorDriver(cloud, make_tenant(cloud, "alpha"))


@pytest.fixture
def beta(cloud):
    return SimulatorDriver(cloud, make_tenant(cloud, "beta"))


@pytest.fixture
def demo(cloud):
    """The demo flavors, images and network, which servers boot from."""
    return seed_demo_cloud(cloud)


@pytest.fixture
def server(cloud, demo, alpha):
    """A server of alpha's, booted from the demo content."""
    return alpha.compute.create_server(boot_spec(cloud))
