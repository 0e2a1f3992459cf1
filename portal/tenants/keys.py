"""API keys: a tenant's (issued at sign-up, rotated, revoked) and the platform's own."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from portal.core.errors import NotFound, ValidationFailed
from portal.tenants.models import PlatformAPIKey, TenantAPIKey

logger = logging.getLogger(__name__)

ROTATED_KEY_NAME = "rotated"
KEY_NAME_MAX_LENGTH = 50  # rest_framework_api_key's AbstractAPIKey.name


def issue_key(tenant, name):
    """A new key of the tenant; returns (key row, plaintext key)."""
    return TenantAPIKey.objects.create_key(tenant=tenant, name=name)


def rotate_tenant_key(tenant, *, actor) -> str:
    """A new key for the tenant; every older key stops working. Returns the new key."""
    with transaction.atomic():
        revoked = TenantAPIKey.objects.get_usable_keys().filter(tenant=tenant).update(revoked=True)
        _api_key, plaintext = issue_key(tenant, ROTATED_KEY_NAME)
    logger.info("tenant %s: key rotated by %s (%d revoked)", tenant.pk, actor, revoked)
    return plaintext


def revoke_key(api_key):
    """Revoke one tenant or platform key (for good: revocation cannot be undone)."""
    api_key.revoked = True
    api_key.save(update_fields=["revoked"])
    logger.info("API key %s (%s) revoked", api_key.prefix, api_key.name)


def revoke_tenant_keys(tenant, *, actor) -> int:
    """Revoke every key of the tenant; returns how many were still usable."""
    count = TenantAPIKey.objects.get_usable_keys().filter(tenant=tenant).update(revoked=True)
    logger.info("tenant %s: %d keys revoked by %s", tenant.pk, count, actor)
    return count


def find_key(prefix):
    """The tenant or platform key with this prefix (the part of a key before the dot)."""
    prefix = prefix.partition(".")[0]
    for model in (TenantAPIKey, PlatformAPIKey):
        api_key = model.objects.filter(prefix=prefix).first()
        if api_key is not None:
            return api_key
    raise NotFound(_("No API key has the prefix %(prefix)s.") % {"prefix": prefix})


def create_platform_key(name):
    """A key of the platform itself (registers tenants); returns (key row, plaintext key)."""
    name = name.strip() if isinstance(name, str) else ""
    if not 1 <= len(name) <= KEY_NAME_MAX_LENGTH:
        problem = _("A key name has 1 to %(max)d characters.") % {"max": KEY_NAME_MAX_LENGTH}
        raise ValidationFailed(problem, fields={"name": [problem]})
    return PlatformAPIKey.objects.create_key(name=name)
