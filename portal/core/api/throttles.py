"""Rate limits of API-key callers (per key, per tenant) and the guard against guessing keys.

DRF's SimpleRateThrottle keeps each caller's recent request times in the cache (Redis in
production, so every web process shares them). Rates are read from
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] when a throttle is made, not when this module is
imported, so a changed setting takes effect at once. A refused call is DRF's Throttled:
429 in the error shape with Retry-After (portal/core/api/errors.py).
"""

from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from portal.core.principals import ApiPrincipal


def client_address(request):
    """The caller's address: REMOTE_ADDR, or the X-Forwarded-For entry the last of
    REST_FRAMEWORK["NUM_PROXIES"] trusted proxies appended (also django-axes' source)."""
    return BaseThrottle().get_ident(request)


class PortalRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class ApiKeyRateThrottle(PortalRateThrottle):
    """Calls of one API key; staff sessions are not limited."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        if not isinstance(request.user, ApiPrincipal):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.key_prefix}


class TenantRateThrottle(PortalRateThrottle):
    """Calls for one tenant, whichever of its keys they carry (a tenant holding several
    keys does not get several times the rate)."""

    scope = "tenant"

    def get_cache_key(self, request, view):
        tenant = getattr(request.user, "tenant", None)
        if not isinstance(request.user, ApiPrincipal) or tenant is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": tenant.tenant_id}


class FailedAuthGuard(PortalRateThrottle):
    """Wrong API keys per client address. Unlike a throttle it counts only failures:
    `refuse_if_tripped` before a key is looked up, `record_failure` after a wrong one."""

    scope = "failed_auth"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}

    def _load(self, request):
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]

    def refuse_if_tripped(self, request):
        if self.rate is None:
            return
        self._load(request)
        if len(self.history) >= self.num_requests:
            raise exceptions.Throttled(wait=self.wait())

    def record_failure(self, request):
        if self.rate is None:
            return
        self._load(request)
        self.throttle_success()  # records this failure's time
