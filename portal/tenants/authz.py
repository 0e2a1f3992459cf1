"""The platform's per-resource permission callback (seed 004, "API key 验证", point 2).

When a tenant call names existing resources, the portal asks the platform whether that
platform user may act on them: a POST of {tenant_id, platform_userid, resource_ids,
action} to PLATFORM_AUTHZ_URL, answered {"allowed": true|false}. Answers are cached
briefly. The check fails closed: if the platform cannot give a clear answer, the call
is refused with 503, never let through.
"""

import hashlib
import json
import logging

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from portal.core.errors import PermissionDenied, ServiceUnavailable
from portal.core.logging import current_request_id
from portal.core.principals import ApiPrincipal

logger = logging.getLogger(__name__)

CACHE_PREFIX = "platform-authz:"


def check_resource_access(principal, resource_ids, action) -> None:
    """Raise PermissionDenied (403) unless the platform lets this caller do `action` on
    every one of `resource_ids`; ServiceUnavailable (503) if it cannot be asked.

    Only tenant keys are checked: staff and platform keys act for no platform user.
    With PLATFORM_AUTHZ_URL unset, or no resource named, there is nothing to ask.
    """
    if not settings.PLATFORM_AUTHZ_URL or not _is_tenant(principal):
        return
    ids = sorted({str(resource_id) for resource_id in resource_ids})
    if not ids:
        return
    question = {
        "tenant_id": principal.tenant.tenant_id,
        "platform_userid": principal.platform_user_id,
        "resource_ids": ids,
        "action": str(action),
    }
    key = _cache_key(question)
    allowed = _cache_get(key)
    if allowed is None:
        allowed = _ask_platform(question)
        _cache_set(key, allowed)
    if not allowed:
        raise PermissionDenied(
            _("The platform does not allow this user to do that with these resources."),
            code="platform_denied",
        )


def _is_tenant(principal):
    return isinstance(principal, ApiPrincipal) and principal.is_tenant


def _ask_platform(question) -> bool:
    request_id = current_request_id.get()
    timeout = settings.PLATFORM_AUTHZ_TIMEOUT
    try:
        response = requests.post(
            settings.PLATFORM_AUTHZ_URL,
            json=question,
            timeout=(timeout, timeout),
            headers={"X-Request-Id": request_id},
        )
        response.raise_for_status()
        allowed = response.json()["allowed"]
        if not isinstance(allowed, bool):
            raise ValueError(f"'allowed' is {allowed!r}, not a boolean")
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        logger.error(
            "platform authorization failed (request %s, tenant %s): %s: %s",
            request_id,
            question["tenant_id"],
            type(exc).__name__,
            exc,
        )
        raise ServiceUnavailable(
            _("The platform's permission service did not answer; try again later."),
            code="authz_unavailable",
        ) from exc
    return allowed


def _cache_key(question) -> str:
    # Hashed: platform user ids and resource ids are free text, cache keys are not.
    canonical = json.dumps(question, sort_keys=True, separators=(",", ":"))
    return CACHE_PREFIX + hashlib.sha256(canonical.encode()).hexdigest()


def _cache_get(key):
    """The cached answer, or None; a broken cache only means asking the platform."""
    try:
        return cache.get(key)
    except Exception:
        logger.warning("cache unavailable for platform authorization", exc_info=True)
        return None


def _cache_set(key, allowed):
    seconds = settings.PLATFORM_AUTHZ_CACHE_SECONDS
    if seconds <= 0:
        return
    try:
        cache.set(key, allowed, seconds)
    except Exception:
        logger.warning("cache unavailable for platform authorization", exc_info=True)
