"""What monitoring asks: /healthz (liveness), /readyz (readiness), /metrics (Prometheus).

/healthz answers while the process serves requests, asking nothing else: a restart
cures nothing a dependency causes. /readyz asks the database and the broker, then every
check an app registers (`register_readiness_check`; the clouds app adds each enabled
cloud), and answers 503 when one fails. Both are public and say only ok or failing per
check; the reasons are logged (and, for clouds, shown in the admin).
"""

import ipaddress
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from portal.celery import app as celery_app
from portal.core import metrics
from portal.core.api.errors import error_body
from portal.core.api.throttles import client_address

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2

# name -> callable() returning {check name: ok?}; one callable may report several checks.
_readiness_checks: dict[str, Callable[[], dict[str, bool]]] = {}


def register_readiness_check(name, check):
    """Add `check` to /readyz: a callable returning {check name: ok?} (from an app's ready())."""
    _readiness_checks[name] = check


def database_ready():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"database": True}


def broker_ready():
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    return {"broker": True}


def run_checks():
    results = {}
    checks = {"database": database_ready, "broker": broker_ready, **_readiness_checks}
    for name, check in checks.items():
        try:
            results.update(check())
        except Exception:
            logger.exception("readiness check %s failed", name)
            results[name] = False
    return results


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    results = run_checks()
    ready = all(results.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": {name: "ok" if ok else "failing" for name, ok in results.items()},
        },
        status=200 if ready else 503,
    )


def may_scrape(request):
    """METRICS_TOKEN as a bearer token, or a client address in METRICS_ALLOWED_NETWORKS:
    the metrics name tenants' operations, so they are not for tenants' eyes."""
    token = settings.METRICS_TOKEN
    scheme, _sep, offered = request.headers.get("Authorization", "").partition(" ")
    if token and scheme == "Bearer" and constant_time_compare(offered.strip(), token):
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
def metrics_view(request):
    if not may_scrape(request):
        body = error_body("permission_denied", _("You may not read the metrics."))
        return JsonResponse(body, status=403)
    return HttpResponse(generate_latest(metrics.registry()), content_type=CONTENT_TYPE_LATEST)
