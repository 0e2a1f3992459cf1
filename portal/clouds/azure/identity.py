"""A tenant's identity on an Azure cloud: a resource group of its own (issue 19).

Azure has no Keystone. The portal acts as the cloud's service principal for every
tenant, so there are no per-tenant users, roles or role assignments. What sign-up makes
maps onto Azure so:

- the domain is the cloud's shared resource group (`cloud.azure_resource_group`, where
  the mapped VNets, NSGs and images live): the operator's, read but never created or
  deleted by the portal;
- the project is a resource group per tenant, named after the identity's project name,
  made in the cloud's location and tagged with the tenant, holding the tenant's VMs,
  NICs and disks.

Ids are ARM resource ids (`/subscriptions/.../resourceGroups/<name>`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.clouds.azure.errors import translate_errors
from portal.clouds.azure.scope import finish, last_segment
from portal.clouds.base import TenantCredentials
from portal.clouds.errors import CloudBadRequest, CloudNotFound

# The tag naming the tenant a resource group was made for (operators find them by it).
TENANT_TAG = "portal-tenant"

NO_TENANT_USERS = _(
    "Azure clouds have no tenant users or roles: the portal acts as the cloud's service "
    "principal for every tenant."
)


class AzureIdentity:
    """IdentityAPI (clouds/base.py) on Azure, through the cloud's AzureSession."""

    def __init__(self, session):
        self.session = session

    @property
    def _groups(self):
        return self.session.resources.resource_groups

    def create_domain(self, name: str, description: str = "") -> str:
        """The cloud's shared resource group's id: it must exist (CloudNotFound if the
        operator has not made it); it is not made here."""
        with translate_errors("resource group read"):
            return self._groups.get(self.session.resource_group).id

    def create_project(self, name: str, domain_id: str, description: str = "") -> str:
        """Make (or find, as a redelivered job may) the tenant's resource group."""
        parameters = {"location": self.session.location, "tags": {TENANT_TAG: name}}
        with translate_errors("resource group create"):
            return self._groups.create_or_update(name, parameters).id

    def delete_project(self, project_id: str) -> None:
        """Delete the tenant's resource group and wait, within the cloud's wait limit,
        until Azure has (it deletes what the group holds first); one already gone is not
        an error."""
        try:
            with translate_errors("resource group delete"):
                finish(self._groups.begin_delete(last_segment(project_id)), self.session.cloud)
        except CloudNotFound:
            return

    def delete_domain(self, domain_id: str) -> None:
        """Nothing to delete: the domain is the operator's shared resource group, which
        every tenant of the cloud uses."""

    def check_login(self, credentials: TenantCredentials) -> bool:
        """Whether the service principal, which acts for the tenant, can read the
        tenant's resource group."""
        try:
            with translate_errors("resource group read"):
                self._groups.get(last_segment(credentials.project_id))
        except CloudNotFound:
            return False
        return True

    def create_user(self, name: str, password: str, domain_id: str, project_id: str) -> str:
        raise CloudBadRequest(NO_TENANT_USERS)

    def create_role(self, name: str, domain_id: str | None = None) -> str:
        raise CloudBadRequest(NO_TENANT_USERS)

    def assign_role(self, role_id: str, user_id: str, project_id: str) -> None:
        raise CloudBadRequest(NO_TENANT_USERS)

    def find_role(self, name: str) -> str:
        raise CloudBadRequest(NO_TENANT_USERS)

    def unassign_role(self, role_id: str, user_id: str, project_id: str) -> None:
        raise CloudBadRequest(NO_TENANT_USERS)

    def delete_role(self, role_id: str) -> None:
        raise CloudBadRequest(NO_TENANT_USERS)

    def delete_user(self, user_id: str) -> None:
        raise CloudBadRequest(NO_TENANT_USERS)
