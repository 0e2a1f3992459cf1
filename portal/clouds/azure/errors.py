"""The one place where azure-core's exceptions become CloudErrors.

ARM and the blob service answer an error code ("QuotaExceeded", "OperationNotAllowed",
"BlobNotFound"); the code decides, the HTTP status only where the code is unknown. What
Azure said goes to the log for the operator; the user sees the error's sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from azure.core import exceptions as azure_exc

from portal.clouds.azure.messages import AzureMessages
from portal.clouds.errors import (
    CloudAuthFailed,
    CloudBadRequest,
    CloudConflict,
    CloudError,
    CloudForbidden,
    CloudNotFound,
    CloudQuotaExceeded,
    CloudUnavailable,
    error_for_status,
)

logger = logging.getLogger("portal.clouds.azure")

_BY_CODE: dict[str, type[CloudError]] = {
    "ResourceNotFound": CloudNotFound,
    "ResourceGroupNotFound": CloudNotFound,
    "NotFound": CloudNotFound,
    "BlobNotFound": CloudNotFound,
    "ContainerNotFound": CloudNotFound,
    "QuotaExceeded": CloudQuotaExceeded,
    "OperationNotAllowed": CloudQuotaExceeded,  # ARM's answer when a core quota is met
    "SkuNotAvailable": CloudBadRequest,
    "InvalidParameter": CloudBadRequest,
    "InvalidRequestContent": CloudBadRequest,
    "BadRequest": CloudBadRequest,
    "Conflict": CloudConflict,
    "OperationPreempted": CloudConflict,
    "PropertyChangeNotAllowed": CloudConflict,
    "ResourceExists": CloudConflict,
    "BlobAlreadyExists": CloudConflict,
    "LeaseIdMissing": CloudConflict,
    "AuthorizationFailed": CloudForbidden,
    "AuthenticationFailed": CloudAuthFailed,
    "InvalidAuthenticationToken": CloudAuthFailed,
    "ExpiredAuthenticationToken": CloudAuthFailed,
    "InternalServerError": CloudUnavailable,
    "ServerBusy": CloudUnavailable,
    "TooManyRequests": CloudUnavailable,
    "InternalOperationError": CloudUnavailable,
    "RetryableError": CloudUnavailable,
    "OSProvisioningInternalError": CloudUnavailable,
}
# Codes a polled operation ends with (the operation's status Failed), said in a sentence
# of their own. Capacity Azure has not got (AllocationFailed and its kin) is
# CloudUnavailable, not a quota: no limit of the tenant's or the subscription's is met,
# raising one would not help, and the same request may well succeed later or with
# another size or zone ("try again later" is what 503 says).
_WORDED: dict[str, tuple[type[CloudError], object]] = {
    "AllocationFailed": (CloudUnavailable, AzureMessages.NO_CAPACITY),
    "ZonalAllocationFailed": (CloudUnavailable, AzureMessages.NO_CAPACITY),
    "AllocationFailedVmSizeNotAvailable": (CloudUnavailable, AzureMessages.NO_CAPACITY),
    "OverconstrainedAllocationRequest": (CloudUnavailable, AzureMessages.OVERCONSTRAINED),
    "OverconstrainedZonalAllocationRequest": (CloudUnavailable, AzureMessages.OVERCONSTRAINED),
    # The VM exists but its guest never said it was ready: the image's fault more often
    # than Azure's, so not "try again later" (the generic 502 with its own sentence).
    "OSProvisioningTimedOut": (CloudError, AzureMessages.OS_PROVISIONING_TIMED_OUT),
    "OSProvisioningClientError": (CloudBadRequest, AzureMessages.OS_PROVISIONING_REFUSED),
    "VMStartTimedOut": (CloudUnavailable, AzureMessages.VM_START_TIMED_OUT),
}
# Not reached, or no answer in time: the request may not have arrived.
_UNREACHABLE = (azure_exc.ServiceRequestError, azure_exc.ServiceResponseError)


def azure_code(exc: Exception) -> str:
    """Azure's error code ("QuotaExceeded"), or "" when it gave none."""
    error = getattr(exc, "error", None)
    return getattr(error, "code", None) or getattr(exc, "error_code", None) or ""


def to_cloud_error(exc: Exception) -> CloudError:
    """The CloudError that stands for an azure-core exception."""
    if isinstance(exc, azure_exc.ClientAuthenticationError) and not azure_code(exc):
        return CloudAuthFailed()  # azure-identity's: the service principal was refused
    if isinstance(exc, _UNREACHABLE):
        return CloudUnavailable()
    code = azure_code(exc)
    if code in _WORDED:
        error_class, message = _WORDED[code]
        return error_class(message)
    error_class = _BY_CODE.get(code)
    if error_class is not None:
        return error_class()
    return error_for_status(getattr(exc, "status_code", None))


@contextmanager
def translate_errors(operation: str) -> Iterator[None]:
    """Run Azure calls; re-raise what they raise as a CloudError (the original chained)."""
    try:
        yield
    except azure_exc.AzureError as exc:
        error = to_cloud_error(exc)
        level = logging.INFO if isinstance(error, CloudNotFound) else logging.WARNING
        logger.log(
            level, "Azure %s failed (%s %s): %s", operation, error.code, azure_code(exc), exc
        )
        raise error from exc
