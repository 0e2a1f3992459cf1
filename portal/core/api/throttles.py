"""Rate limits of API-key callers (per key, per tenant) and the guard against guessing keys.

Each limit counts calls in fixed windows (GitHub's API and django-ratelimit count the
same way): one integer per caller and window in the cache (Redis in production, so every
web process shares them), raised with the cache's atomic increment. A call costs the same
two or three cache calls at any rate, and concurrent calls are all counted. DRF's
SimpleRateThrottle instead keeps every call's time in a list, read and written whole on
each call: at 500 calls/s that is 30,000 floats, and concurrent calls overwrite each
other's. A caller may spend a window's allowance at its end and the next one's at once:
at most twice the rate over a short span, the price of a constant-cost count.

Rates are read from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] when a throttle is made, not
when this module is imported, so a changed setting takes effect at once. A refused call is
DRF's Throttled: 429 in the error shape with Retry-After, the seconds until the window
ends (portal/core/api/errors.py).
"""

import contextlib
import math

from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from portal.core.principals import ApiPrincipal


def client_address(request):
    """The caller's address: REMOTE_ADDR, or the X-Forwarded-For entry the last of
    REST_FRAMEWORK["NUM_PROXIES"] trusted proxies appended (also django-axes' source)."""
    return BaseThrottle().get_ident(request)


class PortalRateThrottle(SimpleRateThrottle):
    """At most `num_requests` calls per `get_cache_key` in each window of `duration`
    seconds."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self._start_window()
        if self._count_call() <= self.num_requests:
            return True
        with contextlib.suppress(ValueError):  # a refused call is not counted
            self.cache.decr(self.window_key)
        return False

    def wait(self):
        """Seconds until the window ends (at least 1)."""
        return max(1, math.ceil(self.window_end - self.now))

    def _start_window(self):
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        self.window_key = f"{self.key}:{window}"

    def _count_call(self):
        """This call counted in its window, atomically: the window's count with it."""
        try:
            return self.cache.incr(self.window_key)
        except ValueError:  # the window's first call (or a count just expired)
            if self.cache.add(self.window_key, 1, timeout=self.duration + 1):
                return 1
            return self.cache.incr(self.window_key)  # another call made it first


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

    def refuse_if_tripped(self, request):
        if self.rate is None:
            return
        self.key = self.get_cache_key(request)
        self._start_window()
        if self.cache.get(self.window_key, 0) >= self.num_requests:
            raise exceptions.Throttled(wait=self.wait())

    def record_failure(self, request):
        if self.rate is None:
            return
        self.key = self.get_cache_key(request)
        self._start_window()
        self._count_call()
