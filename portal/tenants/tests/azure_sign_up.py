"""Signing a tenant up on an Azure cloud in tests: the driver with its identity section,
and the resource-group exchanges a sign-up replays."""

from portal.clouds.azure.driver import AzureDriver
from portal.clouds.azure.identity import TENANT_TAG, AzureIdentity

TENANT_GROUP = "t-0000000001"  # the first tenant's resource group: its id


class AzureDriverWithIdentity(AzureDriver):
    """The Azure driver with the identity section of clouds/azure/identity.py, which
    sign-up uses (kept if the driver has one); images and volumes are sections these tests
    never call."""

    images = volumes = None

    def __init__(self, cloud, credentials=None):
        super().__init__(cloud, credentials)
        self.identity = getattr(self, "identity", None) or AzureIdentity(self.scope.session)


DRIVER_PATH = f"{__name__}.AzureDriverWithIdentity"


def expect_sign_up(arm, group=TENANT_GROUP):
    """The exchanges of a sign-up that succeeds: the shared group read, the tenant's made
    with its tag, then read back."""
    tags = {TENANT_TAG: group}
    arm.sign_in().play("resource_group_get", group="portal-rg", tags=None)
    arm.play("resource_group_create", group=group, tags=tags)
    arm.play("resource_group_get", group=group, tags=tags)
