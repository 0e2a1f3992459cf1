"""Fixtures for tests of Azure clouds, in every app (registered in the root conftest):
`azure_cloud`, an Azure cloud whose pollers do not wait, `azure_mappings`, its flavor, image,
network and security group mappings, and `arm`, the replay of recorded ARM exchanges
(arm.py) that the test's requests must follow in order."""

import pytest

from portal.clouds.models import AzureMapping
from portal.clouds.tests.azure.arm import ArmReplay, cloud_variables
from portal.clouds.tests.azure.vms import MAPPINGS
from portal.clouds.tests.factories import AzureCloudFactory


@pytest.fixture
def azure_cloud(db):
    """An Azure cloud; long-running operations poll at once (the replay answers at once)."""
    return AzureCloudFactory(name="azure-we", options={"azure_polling_interval": 0})


@pytest.fixture
def arm(azure_cloud):
    """Expected ARM exchanges: `arm.sign_in().play("vm_get", vm="web-1")`. On teardown,
    every one must have been used, in order."""
    with ArmReplay(cloud_variables(azure_cloud)) as replay:
        yield replay


@pytest.fixture
def azure_mappings(azure_cloud):
    """The operators' mappings the recorded exchanges use (vms.py names the references);
    the flavor m1.retired maps a VM size the location no longer offers."""
    for kind, name, ref in MAPPINGS:
        AzureMapping.objects.create(cloud=azure_cloud, kind=kind, name=name, azure_ref=ref)
    return azure_cloud
