"""Fixtures of the share tests: a simulator cloud with the demo network (shared, with a
subnet) in the cloud and in the network mirror, and a tenant set up in it."""

import pytest

from portal.clouds.simulator.demo import seed_demo_cloud
from portal.clouds.simulator.driver import SimulatorDriver
from portal.network.workflows import sync_network
from portal.servers.tests.factories import make_identity


@pytest.fixture
def demo(cloud):
    demo = seed_demo_cloud(cloud)
    sync_network(cloud, SimulatorDriver(cloud))
    return demo


@pytest.fixture
def identity(tenant, cloud):
    return make_identity(tenant, cloud)


@pytest.fixture
def create_body(demo):
    def body(**changes):
        return {
            "share_name": "data",
            "share_desc": "team files",
            "share_proto": "NFS",
            "share_size_in_g": 10,
            "network_id": demo["network_id"],
            **changes,
        }

    return body
