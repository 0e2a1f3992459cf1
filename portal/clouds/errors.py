"""Errors a cloud driver raises. Business code sees only these, never an SDK's types.

Messages are sentences safe to show a user; a backend's own details go to the log
(seed 004, rule 2: hide the details, keep them for the operator).
"""

from django.utils.translation import gettext_lazy as _

from portal.core import errors


class CloudError(errors.PortalError, status=502, code="cloud_error"):
    """Base of every error from a cloud."""

    default_message = _("The cloud refused the operation.")


class CloudNotFound(CloudError, errors.NotFound, status=404, code="not_found"):
    default_message = _("The object does not exist in the cloud.")


class CloudConflict(CloudError, errors.Conflict, status=409, code="conflict"):
    default_message = _("The cloud refused the operation in the object's current state.")


class CloudQuotaExceeded(CloudError, errors.QuotaExceeded, status=409, code="quota_exceeded"):
    default_message = _("The cloud's quota for this project would be exceeded.")


class CloudBadRequest(CloudError, errors.ValidationFailed, status=400, code="bad_request"):
    default_message = _("The cloud rejected the request as invalid.")


class CloudUnavailable(CloudError, errors.ServiceUnavailable, status=503, code="unavailable"):
    """The cloud did not answer (refused, timed out, 5xx)."""

    default_message = _("The cloud is unavailable; try again later.")


class CloudAuthFailed(CloudError, code="cloud_auth_failed"):
    """The cloud refused the credentials (a tenant's Keystone user or the admin's).

    Not CloudUnavailable: retrying will not help until the credentials are fixed.
    """

    default_message = _("The cloud refused the credentials.")


class CloudForbidden(CloudError, errors.PermissionDenied, status=403, code="cloud_forbidden"):
    """The cloud's policy refuses this caller the operation (e.g. admin-only actions)."""

    default_message = _("The cloud does not allow this operation.")


def error_for_status(status: int | None) -> CloudError:
    """The CloudError an HTTP error status stands for, where the backend named nothing more
    precise: 401, 403, 404 and 409 by their meaning, any other 4xx but 429 a bad request,
    429, a 5xx or no answer at all the cloud being unavailable."""
    if status == 401:
        return CloudAuthFailed()
    if status == 403:
        return CloudForbidden()
    if status == 404:
        return CloudNotFound()
    if status == 409:
        return CloudConflict()
    if status is not None and 400 <= status < 500 and status != 429:
        return CloudBadRequest()
    return CloudUnavailable()
