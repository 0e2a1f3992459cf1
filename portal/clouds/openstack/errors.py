"""The one place where openstacksdk / keystoneauth exceptions become portal CloudErrors.

Every public method of the resource APIs runs inside `translate_errors` (see
`resource.ResourceAPI`), so no SDK exception ever reaches business code. The error shown
is a generic sentence; what the backend said is logged for the operator (seed 004, rule 2).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from portal.clouds.errors import (
    CloudAuthFailed,
    CloudError,
    CloudNotFound,
    CloudQuotaExceeded,
    CloudUnavailable,
    error_for_status,
)

logger = logging.getLogger("portal.clouds.openstack")

# Nova says "Quota exceeded for instances" (403), Cinder "VolumeLimitExceeded" /
# "exceeded allowed ... quota" (413), Neutron "Quota exceeded for resources" (409).
_QUOTA_WORDING = re.compile(r"quota|limit ?exceeded|over ?limit", re.IGNORECASE)

# Failures to reach the service at all: refused, timed out, no endpoint, no API version.
_UNREACHABLE = (
    ks_exc.ConnectionError,
    ks_exc.EndpointNotFound,
    ks_exc.DiscoveryFailure,
    sdk_exc.EndpointNotFound,
    sdk_exc.ServiceDiscoveryException,
    sdk_exc.ServiceDisabledException,
    requests.ConnectionError,
    requests.Timeout,
)
# The SDK's way to say that a service's version discovery got no answer (e.g. Glance
# restarting); NotSupported otherwise means a feature the cloud lacks, a lasting error.
_NO_USABLE_VERSION = re.compile(r"does not have any supported versions")
# Failures to log in: wrong password, unknown project, incomplete credentials.
_AUTH_FAILURES = (ks_exc.Unauthorized, ks_exc.AuthorizationFailure, ks_exc.AuthPluginException)
# The error statuses whose meaning OpenStack's services keep to (see error_for_status).
_MEANINGFUL_STATUSES = frozenset({400, 401, 403, 404, 409, 413, 415, 422, 429})
# Everything the SDK stack raises; other exceptions are bugs and propagate unchanged.
_SDK_ERRORS = (sdk_exc.SDKException, ks_exc.ClientException, requests.RequestException)


def _http_status(exc: Exception) -> int | None:
    status = getattr(exc, "status_code", None) or getattr(exc, "http_status", None)
    return int(status) if status else None


def _backend_text(exc: Exception) -> str:
    return " ".join(str(part) for part in (exc, getattr(exc, "details", "")) if part)


def _from_status(status: int, text: str) -> CloudError:
    """The portal error for an HTTP error status, `text` being the backend's words: a
    quota refusal by its wording, the statuses OpenStack gives a meaning to as every
    backend reads them, any other (a 405, a redirect) an unexplained error."""
    if status in (403, 409, 413) and _QUOTA_WORDING.search(text):
        return CloudQuotaExceeded()
    if status in _MEANINGFUL_STATUSES or status >= 500:
        return error_for_status(status)
    return CloudError()


def to_cloud_error(exc: Exception) -> CloudError:
    """The CloudError that stands for an SDK/keystoneauth/requests exception."""
    status = _http_status(exc)
    if status:
        return _from_status(status, _backend_text(exc))
    if isinstance(exc, _UNREACHABLE):
        return CloudUnavailable()
    if isinstance(exc, sdk_exc.NotSupported) and _NO_USABLE_VERSION.search(str(exc)):
        return CloudUnavailable()
    if isinstance(exc, _AUTH_FAILURES):
        return CloudAuthFailed()
    return CloudError()


@contextmanager
def translate_errors(
    operation: str, on_auth_failure: Callable[[], None] | None = None
) -> Iterator[None]:
    """Run a cloud call; re-raise what the SDK stack raises as a CloudError.

    `on_auth_failure` lets the caller drop a cached connection whose login stopped working.
    """
    try:
        yield
    except _SDK_ERRORS as exc:
        error = to_cloud_error(exc)
        # 404s are routine (polling a deleted server, idempotent deletes): keep them quiet.
        level = logging.INFO if isinstance(error, CloudNotFound) else logging.WARNING
        logger.log(level, "OpenStack %s failed (%s): %s", operation, error.code, exc)
        if isinstance(error, CloudAuthFailed) and on_auth_failure is not None:
            on_auth_failure()
        raise error from exc
