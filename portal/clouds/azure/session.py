"""Signing in to Azure as a cloud's service principal, and the SDK clients the driver's
sections share.

Every client is bounded by the cloud's timeouts (seed 004, rule 1: connect and read, as
for OpenStack) and retries only what Azure asks to be retried (429 and 5xx, honouring
Retry-After) a bounded number of times, so that a Task's deadline holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from azure.identity import ClientSecretCredential
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.storage.blob import BlobServiceClient
from django.conf import settings

# Azure's public cloud; the tests replay recorded exchanges with these hosts.
ARM_ENDPOINT = "https://management.azure.com"
LOGIN_AUTHORITY = "login.microsoftonline.com"
# How often the SDK retries a 429 or a 5xx before the error reaches the Task, and the
# longest Retry-After it waits (Azure's throttling asks for seconds, rarely minutes).
RETRY_TOTAL = 3
RETRY_BACKOFF_MAX = 30


@dataclass(frozen=True)
class Timeouts:
    connect: float
    read: float


def timeouts(cloud) -> Timeouts:
    options = cloud.options or {}
    return Timeouts(
        connect=float(options.get("connect_timeout", settings.CLOUD_CONNECT_TIMEOUT)),
        read=float(options.get("read_timeout", settings.CLOUD_READ_TIMEOUT)),
    )


def polling_interval(cloud) -> float:
    """Seconds between polls of a long-running operation, when Azure names none
    (Retry-After on the operation's answer wins). Options let tests poll at once."""
    return float((cloud.options or {}).get("azure_polling_interval", 5))


def retry_total(cloud) -> int:
    """How often a 429, a 5xx or an unreachable service is retried (options may lower it:
    a test of an unreachable service need not wait out the backoff)."""
    return int((cloud.options or {}).get("azure_retry_total", RETRY_TOTAL))


def blob_endpoint(cloud) -> str:
    return (
        cloud.azure_blob_endpoint or f"https://{cloud.azure_storage_account}.blob.core.windows.net"
    )


class AzureSession:
    """The clients for one Azure cloud, made on first use (a driver may need only one)."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.subscription_id = cloud.azure_subscription_id
        self.resource_group = cloud.azure_resource_group
        self.location = cloud.azure_location
        self.timeouts = timeouts(cloud)
        self.polling_interval = polling_interval(cloud)
        self.retry_total = retry_total(cloud)

    def _client_options(self) -> dict:
        return {
            "connection_timeout": self.timeouts.connect,
            "read_timeout": self.timeouts.read,
            "retry_total": self.retry_total,
            "retry_backoff_max": RETRY_BACKOFF_MAX,
            "polling_interval": self.polling_interval,
        }

    @cached_property
    def credential(self) -> ClientSecretCredential:
        return ClientSecretCredential(
            tenant_id=self.cloud.azure_directory_id,
            client_id=self.cloud.azure_client_id,
            client_secret=self.cloud.azure_client_secret or "",
            authority=LOGIN_AUTHORITY,
            # One token request, no metadata discovery round trip first.
            disable_instance_discovery=True,
            connection_timeout=self.timeouts.connect,
            read_timeout=self.timeouts.read,
        )

    def _arm(self, client_class):
        return client_class(
            self.credential, self.subscription_id, base_url=ARM_ENDPOINT, **self._client_options()
        )

    @cached_property
    def compute(self) -> ComputeManagementClient:
        return self._arm(ComputeManagementClient)

    @cached_property
    def network(self) -> NetworkManagementClient:
        return self._arm(NetworkManagementClient)

    @cached_property
    def resources(self) -> ResourceManagementClient:
        return self._arm(ResourceManagementClient)

    @cached_property
    def blobs(self) -> BlobServiceClient:
        return BlobServiceClient(
            blob_endpoint(self.cloud),
            credential={
                "account_name": self.cloud.azure_storage_account,
                "account_key": self.cloud.azure_storage_key or "",
            },
            connection_timeout=self.timeouts.connect,
            read_timeout=self.timeouts.read,
            retry_total=self.retry_total,
        )
