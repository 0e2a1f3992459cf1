"""Fixtures of the cloud disk tests: the tenant set up in the simulator, a running server
of its own known to the portal, and helpers calling the API."""

import pytest

from portal.clouds.drivers import get_driver
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.testing import boot_spec
from portal.servers.disks.models import Volume
from portal.servers.tests.factories import ServerFactory, make_identity
from portal.tenants import quotas
from portal.tenants.credentials import tenant_credentials

LIST = "/api/v1/cloud-disks"


@pytest.fixture
def tenant_driver(tenant, cloud):
    """The simulator driver with the tenant's own cloud user (the tenant is set up)."""
    return get_driver(cloud, tenant_credentials(make_identity(tenant, cloud)))


def make_server(tenant, cloud, driver, name="vm"):
    """A running server of `tenant` in the simulator, known to the portal."""
    info = driver.compute.create_server(boot_spec(cloud, name=name))
    info = driver.compute.get_server(info.id)
    assert info.status == "ACTIVE"
    return ServerFactory(
        cloud=cloud, tenant=tenant, backend_id=info.id, runtime_state="ACTIVE", name=name
    )


@pytest.fixture
def server(tenant, cloud, tenant_driver):
    return make_server(tenant, cloud, tenant_driver)


def disk_url(disk, action=""):
    volume_id = disk["volume_id"] if isinstance(disk, dict) else disk.volume_id
    return f"{LIST}/{volume_id}" + (f"/{action}" if action else "")


def create_disk(client, expect=202, **changes):
    body = {
        "volume_name": "data-1",
        "volume_desc": "logs",
        "cloud_disk_conf": {"volume_type": "", "size_in_g": 10},
        **changes,
    }
    answer = client.post(f"{LIST}?wait=30", body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def post(client, url, body, expect=202):
    answer = client.post(f"{url}?wait=30", body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def operate(client, disk, server, ops_type, expect=202):
    body = {"instance_id": server.instance_id, "ops_type": ops_type}
    return post(client, disk_url(disk, "operate"), body, expect)


def in_cloud(cloud, disk):
    return SimulatedObject.objects.get(
        cloud=cloud, kind=SimulatedObject.Kind.VOLUME, backend_id=disk["cloud_volume_id"]
    )


def usage(tenant):
    found = quotas.usage_of(tenant)
    return found["volumes"], found["gigabytes"]


def row(disk):
    return Volume.objects.get(volume_id=disk["volume_id"])


@pytest.fixture
def disk(client_of_tenant, tenant_driver):
    return create_disk(client_of_tenant)
