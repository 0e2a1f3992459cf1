"""Where a driver works on an Azure cloud: the resource group of its scope, and the
clients, mappings and ARM ids its sections share.

The admin scope (no credentials) works in the cloud's resource group; a tenant's scope in
the tenant's own resource group, whose ARM id sign-up stored as the tenant's project id.
Azure signs in as the cloud's one service principal either way, so the driver keeps a
tenant to its resource group itself.
"""

from __future__ import annotations

from functools import cached_property

from django.utils.translation import gettext_lazy as _

from portal.clouds.azure.mappings import Mappings
from portal.clouds.azure.session import AzureSession
from portal.clouds.base import TenantCredentials
from portal.clouds.polling import DEFAULT_WAIT_SECONDS, OperationFailed
from portal.clouds.task_messages import CloudMessages


def last_segment(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def resource_group_of(resource_id: str) -> str:
    """ "rg" from "/subscriptions/s/resourceGroups/rg/providers/..." ("" if none)."""
    parts = resource_id.strip("/").split("/")
    lowered = [part.lower() for part in parts]
    if "resourcegroups" not in lowered:
        return ""
    index = lowered.index("resourcegroups") + 1
    return parts[index] if index < len(parts) else ""


class AzureScope:
    def __init__(self, cloud, credentials: TenantCredentials | None = None):
        self.cloud = cloud
        self.session = AzureSession(cloud)
        self.is_admin = credentials is None
        self.resource_group = (
            cloud.azure_resource_group
            if credentials is None
            else last_segment(credentials.project_id)
        )
        self.location = cloud.azure_location
        self.mappings = Mappings(cloud)

    @cached_property
    def compute(self):
        return self.session.compute

    @cached_property
    def network(self):
        return self.session.network

    def group_id(self, resource_group: str | None = None) -> str:
        """A resource group's ARM id: what the portal calls the project of what it holds."""
        group = resource_group or self.resource_group
        return f"/subscriptions/{self.session.subscription_id}/resourceGroups/{group}"

    def resource_id(self, provider_type: str, name: str, resource_group: str | None = None):
        """The ARM id of `name` of `provider_type` ("Microsoft.Compute/disks")."""
        return f"{self.group_id(resource_group)}/providers/{provider_type}/{name}"

    def owns(self, resource_group: str) -> bool:
        """Whether this scope may touch what lives in `resource_group` (the admin: any)."""
        return self.is_admin or resource_group.lower() == self.resource_group.lower()


def finish(poller, cloud):
    """The result of a long-running operation, waited for up to the cloud's wait limit
    (its `wait_seconds` option, as every wait of the portal); call within translate_errors.
    An operation that ends Failed raises there with Azure's error code."""
    limit = (cloud.options or {}).get("wait_seconds", DEFAULT_WAIT_SECONDS)
    poller.wait(timeout=limit)
    if not poller.done():
        raise OperationFailed(CloudMessages.TOO_SLOW(what=_("The Azure operation"), seconds=limit))
    return poller.result()
