import factory

from portal.tenants.models import PlatformAPIKey, Tenant, TenantAPIKey


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
