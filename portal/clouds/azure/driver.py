"""The Azure driver: portal.clouds.base.CloudDriver on Microsoft's SDKs (issue 19)."""

from __future__ import annotations

from portal.clouds.azure.compute import AzureCompute
from portal.clouds.azure.errors import translate_errors
from portal.clouds.azure.identity import AzureIdentity
from portal.clouds.azure.images import AzureImages
from portal.clouds.azure.network import AzureNetwork
from portal.clouds.azure.scope import AzureScope
from portal.clouds.azure.unoffered import NoFloatingIPs, NoShares
from portal.clouds.azure.volumes import AzureVolumes
from portal.clouds.base import TenantCredentials


class AzureDriver:
    """One Azure cloud in one scope: its admin (credentials None: the cloud's resource
    group) or a tenant (its own resource group, the ARM id in `credentials.project_id`).
    Creating it makes no request; the first call signs the service principal in."""

    def __init__(self, cloud, credentials: TenantCredentials | None = None):
        self.scope = AzureScope(cloud, credentials)
        self.identity = AzureIdentity(self.scope.session)
        self.images = AzureImages(self.scope)
        self.compute = AzureCompute(self.scope)
        self.volumes = AzureVolumes(self.scope)
        self.network = AzureNetwork(self.scope)
        self.floating_ips = NoFloatingIPs()
        self.shares = NoShares()

    def check(self) -> None:
        """Read the cloud's resource group. Its zones come from the cloud's options,
        asking Azure nothing, so only a real ARM call shows that Azure answers and
        accepts the service principal."""
        with translate_errors("resource group read"):
            self.scope.session.resources.resource_groups.get(self.scope.cloud.azure_resource_group)

    def __repr__(self) -> str:
        return f"<AzureDriver {self.scope.cloud.name} {self.scope.resource_group}>"
