"""Which tenant a request acts for: the caller's own, or the one an operator names."""

from django.utils.translation import gettext as _

from portal.core.errors import ValidationFailed
from portal.core.principals import tenant_scope
from portal.tenants.models import Tenant


def acting_tenant(user, tenant_id):
    """The caller's tenant; operators name the tenant they act for (400 otherwise)."""
    tenant = tenant_scope(user)
    if tenant is not None:
        return tenant
    found = Tenant.objects.filter(pk=tenant_id).first() if tenant_id else None
    if found is None:
        raise ValidationFailed(fields={"tenant_id": [_("Name the tenant to act for.")]})
    return found
