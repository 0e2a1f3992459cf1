"""Signing a tenant up on an Azure cloud in tests: the resource-group exchanges a sign-up
replays."""

from portal.clouds.azure.identity import TENANT_TAG

TENANT_GROUP = "t-0000000001"  # the first tenant's resource group: its id


def expect_sign_up(arm, group=TENANT_GROUP):
    """The exchanges of a sign-up that succeeds: the shared group read, the tenant's made
    with its tag, then read back."""
    tags = {TENANT_TAG: group}
    arm.sign_in().play("resource_group_get", group="portal-rg", tags=None)
    arm.play("resource_group_create", group=group, tags=tags)
    arm.play("resource_group_get", group=group, tags=tags)
