"""How a job logs in to the cloud as a tenant's own user: tenant provisioning checks the
new user's login with them and tenant-scoped server jobs act with them."""

from portal.clouds.base import TenantCredentials


def tenant_credentials(identity) -> TenantCredentials:
    """The credentials of the tenant's Keystone user recorded on `identity`."""
    return TenantCredentials(
        username=identity.username,
        password=identity.password,
        project_id=identity.project_id,
        user_domain_id=identity.domain_id,
        project_domain_id=identity.domain_id,
    )
