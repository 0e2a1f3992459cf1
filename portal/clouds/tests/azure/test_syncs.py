"""The portal's pulls on an Azure cloud, with the Azure driver against recorded ARM
exchanges: the network pull mirrors the mapped subnets and NSGs (no routers, floating IPs
or hosts; the mapped zones), the flavor pull the mapped VM sizes Azure offers."""

import pytest

from portal.clouds.azure.driver import AzureDriver
from portal.network.models import AvailabilityZone, ComputeHost, Network, SecurityGroup, Subnet
from portal.network.workflows.sync import sync_network
from portal.servers.models import Flavor
from portal.servers.workflows.flavors import sync_flavors

pytestmark = pytest.mark.django_db


def test_the_network_pull_mirrors_the_mapped_subnets_and_nsgs(azure_mappings, arm):
    azure_mappings.options = {**azure_mappings.options, "availability_zones": ["1"]}
    azure_mappings.save()
    arm.sign_in().play("subnet_get").play("nsg_get")

    sync_network(azure_mappings, AzureDriver(azure_mappings))

    network = Network.objects.get(cloud=azure_mappings, backend_id="private")
    assert (network.shared, network.tenant_id) == (True, None)
    subnet = Subnet.objects.get(cloud=azure_mappings, backend_id="private")
    assert (subnet.cidr, subnet.network_id) == ("10.0.1.0/24", network.pk)
    group = SecurityGroup.objects.get(cloud=azure_mappings, backend_id="web")
    assert group.rules.count() == 4
    assert list(AvailabilityZone.objects.values_list("name", flat=True)) == ["1"]
    assert not ComputeHost.objects.exists()


def test_the_flavor_pull_mirrors_the_mapped_sizes_azure_offers(azure_mappings, arm):
    arm.sign_in().play("vm_sizes")

    sync_flavors(azure_mappings, AzureDriver(azure_mappings))

    flavors = Flavor.objects.filter(cloud=azure_mappings).order_by("backend_id")
    assert [(f.backend_id, f.vcpus, f.ram, f.disk) for f in flavors] == [
        ("m1.large", 4, 16384, 0),
        ("m1.small", 2, 4096, 0),
    ]
