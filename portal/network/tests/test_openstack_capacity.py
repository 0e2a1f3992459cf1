"""Compute hosts' capacity and usage against the real Nova and Placement
(scripts/openstack-lite): what the network pull mirrors is what Placement says."""

import pytest

from portal.clouds.base import ServerSpec
from portal.clouds.openstack.waiting import wait_for_server
from portal.clouds.tests.openstack.fixtures import RUN, delete_server
from portal.network.models import ComputeHost
from portal.network.workflows import sync_network

pytestmark = [pytest.mark.openstack, pytest.mark.django_db]
RESOURCE_CLASSES = {"vcpus": "VCPU", "memory_mb": "MEMORY_MB", "disk_gb": "DISK_GB"}


def placement_figures(sdk) -> dict[str, dict]:
    """{host: figures} read straight from Placement's REST API, one provider per hypervisor."""
    hosts = {}
    for hypervisor in sdk.compute.hypervisors(details=True, with_servers=True):
        provider = f"/resource_providers/{hypervisor.id}"
        inventories = sdk.placement.get(f"{provider}/inventories").json()["inventories"]
        usages = sdk.placement.get(f"{provider}/usages").json()["usages"]
        figures = {"servers": len(hypervisor.servers or [])}
        for figure, resource_class in RESOURCE_CLASSES.items():
            inventory = inventories[resource_class]
            figures[figure] = int(
                (inventory["total"] - inventory["reserved"]) * inventory["allocation_ratio"]
            )
            figures[f"{figure}_used"] = usages.get(resource_class, 0)
        hosts[hypervisor.service_details["host"]] = figures
    return hosts


def mirrored_figures(cloud) -> dict[str, dict]:
    fields = ["name", "servers"] + [f for name in RESOURCE_CLASSES for f in (name, f"{name}_used")]
    rows = ComputeHost.objects.filter(cloud=cloud, missing_since__isnull=True).values(*fields)
    return {row.pop("name"): row for row in rows}


@pytest.fixture
def server_on_host(
    openstack_admin, openstack_image, openstack_flavors, openstack_network, openstack_cleanup
):
    [host] = [h.host for h in openstack_admin.compute.list_compute_hosts() if h.state == "up"]
    spec = ServerSpec(
        name=f"{RUN}-capacity",
        flavor_id=openstack_flavors["large"].id,
        image_id=openstack_image.id,
        boot_volume_size=1,
        network_ids=[openstack_network.id],
        host=host,
    )
    created = openstack_admin.compute.create_server(spec)
    openstack_cleanup.add(delete_server, openstack_admin, created.id)
    wait_for_server(openstack_admin, created.id, {"ACTIVE"})
    return host


def test_the_mirrored_figures_are_placements(
    openstack_cloud, openstack_admin, openstack_admin_sdk, server_on_host
):
    sync_network(openstack_cloud, openstack_admin)

    mirrored = mirrored_figures(openstack_cloud)
    assert mirrored == placement_figures(openstack_admin_sdk)
    host = mirrored[server_on_host]
    assert host["servers"] >= 1
    assert (host["vcpus_used"], host["memory_mb_used"]) >= (2, 256)  # the large flavor
    assert min(host["vcpus"], host["memory_mb"], host["disk_gb"]) > 0
