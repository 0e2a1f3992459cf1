import factory

from portal.tenants.models import PlatformAPIKey, Tenant, TenantAPIKey, TenantIdentity


class TenantFactory(factory.django.DjangoModelFactory):
    """An ACTIVE tenant row (no cloud identity); sign-up itself is tested through the service."""

    class Meta:
        model = Tenant

    tenant_id = factory.Sequence(lambda n: f"t-9{n:09d}")
    name = factory.Sequence(lambda n: f"tenant {n}")
    status = Tenant.Status.ACTIVE


def make_tenant_key(tenant, name="test key", **fields):
    """Returns (TenantAPIKey, plaintext key)."""
    return TenantAPIKey.objects.create_key(tenant=tenant, name=name, **fields)


def make_platform_key(name="platform", **fields):
    """Returns (PlatformAPIKey, plaintext key)."""
    return PlatformAPIKey.objects.create_key(name=name, **fields)


def record_identity(tenant, cloud, credentials):
    """Record `credentials` (a tenant signed up in `cloud`, its domain and project named
    after its user, as sign-up makes them) as the tenant's identity there."""
    return TenantIdentity.objects.create(
        tenant=tenant,
        cloud=cloud,
        domain_name=credentials.username,
        domain_id=credentials.user_domain_id,
        project_name=credentials.username,
        project_id=credentials.project_id,
        username=credentials.username,
        password=credentials.password,
        role_name="member",
        state=TenantIdentity.State.READY,
    )
