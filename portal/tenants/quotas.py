"""A tenant's quota: its limits, read and changed (what its resources hold of it is
servers.quotas')."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.core.errors import ValidationFailed
from portal.tenants.models import TenantQuota

logger = logging.getLogger(__name__)


def quota_of(tenant) -> TenantQuota:
    """The tenant's quota; the defaults for a tenant that has none yet."""
    quota, _created = TenantQuota.objects.get_or_create(tenant=tenant)
    return quota


def update_quota(tenant, changes, *, actor) -> TenantQuota:
    """Set some of the tenant's limits (-1: unlimited); returns the whole quota."""
    unknown = sorted(set(changes) - set(TenantQuota.RESOURCES))
    if unknown:
        raise ValidationFailed(fields={name: [_("Not a quota.")] for name in unknown})
    with transaction.atomic():
        quota = quota_of(tenant)
        quota = TenantQuota.objects.select_for_update().get(pk=quota.pk)
        for name, value in changes.items():
            setattr(quota, name, value)
        try:
            quota.full_clean(exclude=["tenant"])
        except ValidationError as exc:
            raise ValidationFailed(fields=exc.message_dict) from exc
        quota.save()
    logger.info("tenant %s: quota set to %s by %s", tenant.pk, quota.as_dict(), actor)
    return quota
