"""Fixtures of the server tests: a simulator cloud with the demo catalog mirrored into the
portal, and a tenant set up in it."""

import pytest

from portal.clouds.simulator.demo import seed_demo_cloud
from portal.clouds.simulator.driver import SimulatorDriver
from portal.images.models import Image
from portal.images.workflows import sync_images
from portal.network.workflows import sync_network
from portal.servers.models import Flavor
from portal.servers.tests.factories import ServerTemplateFactory, make_identity
from portal.servers.workflows.flavors import sync_flavors


@pytest.fixture
def catalog(cloud):
    """The demo flavors, images and network (with the zone and host), in the cloud and
    in the portal's mirrors."""
    demo = seed_demo_cloud(cloud)
    driver = SimulatorDriver(cloud)
    sync_flavors(cloud, driver)
    sync_images(cloud, driver)
    sync_network(cloud, driver)
    flavors = {flavor.name: flavor for flavor in Flavor.objects.filter(cloud=cloud)}
    return {**demo, "flavor_rows": flavors}


@pytest.fixture
def catalog_template(catalog):
    """`catalog_template(**fields)`: a server template of the demo catalog, cirros on
    m1.small on default-net."""

    def make(**fields):
        return ServerTemplateFactory(
            image=Image.objects.get(image_id=catalog["images"]["cirros-0.6.2"]),
            flavor=catalog["flavor_rows"]["m1.small"],
            network_id=catalog["network_id"],
            **fields,
        )

    return make


@pytest.fixture
def identity(tenant, cloud):
    return make_identity(tenant, cloud)


@pytest.fixture
def create_body(catalog):
    """A CreateInstanceReq for cirros on m1.small with two data disks."""

    def body(**changes):
        return {
            "flavor_ref": catalog["flavors"]["m1.small"],
            "image_ref": catalog["images"]["cirros-0.6.2"],
            "network_uuid": catalog["network_id"],
            "instance_name": "web-1",
            "system_disk": {"volume_type": "", "size_in_g": 5},
            "data_disks": [{"size_in_g": 10}, {"size_in_g": 20}],
            **changes,
        }

    return body


@pytest.fixture
def admin_client(client, staff_user):
    """A browser session of a signed-in operator, for the admin pages."""
    client.force_login(staff_user)
    return client
