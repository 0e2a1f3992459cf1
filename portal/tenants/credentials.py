"""How a job logs in to the cloud as a tenant's own user: tenant provisioning checks the
new user's login with them and tenant-scoped jobs (servers, VPCs, routers...) act with
them."""

from portal.clouds.base import TenantCredentials
from portal.clouds.capabilities import TENANT_USERS, supports
from portal.clouds.drivers import get_driver
from portal.core.errors import ServiceUnavailable
from portal.tenants.models import TenantIdentity
from portal.tenants.task_messages import TenantMessages


def tenant_credentials(identity) -> TenantCredentials:
    """The credentials of the tenant's Keystone user recorded on `identity`. On a cloud
    whose kind has no tenant users (Azure) they name only the tenant's project (its
    resource group) and domain: the driver signs in as the cloud's service principal."""
    has_user = supports(identity.cloud, TENANT_USERS)
    return TenantCredentials(
        username=identity.username if has_user else "",
        password=identity.password if has_user else "",
        project_id=identity.project_id,
        user_domain_id=identity.domain_id,
        project_domain_id=identity.domain_id,
    )


def tenant_driver(tenant, cloud):
    """The driver with the tenant's own cloud user; 503 if it is not set up there yet."""
    identity = TenantIdentity.objects.filter(tenant=tenant, cloud=cloud).first()
    if identity is None or not identity.project_id:
        raise ServiceUnavailable(TenantMessages.NOT_READY, code="tenant_not_ready")
    return get_driver(cloud, tenant_credentials(identity))
