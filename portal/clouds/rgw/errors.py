"""The one place where rgwadmin, botocore and requests exceptions become CloudErrors.

RGW answers S3-style error codes on both of its APIs (the admin API and S3), so the code
decides; the HTTP status only where the code is unknown. What RGW said is logged for the
operator, the user sees the error's sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from botocore import exceptions as boto_exc
from rgwadmin import exceptions as rgw_exc

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
from portal.clouds.rgw.messages import RgwMessages

logger = logging.getLogger("portal.clouds.rgw")

_BY_CODE: dict[str, type[CloudError]] = {
    # Keys unknown or secret wrong: retrying will not help until the keys are fixed.
    "InvalidAccessKeyId": CloudAuthFailed,
    "SignatureDoesNotMatch": CloudAuthFailed,
    "RequestTimeTooSkewed": CloudAuthFailed,
    "AccessDenied": CloudForbidden,
    "NoSuchUser": CloudNotFound,
    "NoSuchBucket": CloudNotFound,
    "NoSuchKey": CloudNotFound,
    "NoSuchBucketPolicy": CloudNotFound,
    "UserAlreadyExists": CloudConflict,
    "BucketAlreadyExists": CloudConflict,
    "BucketAlreadyOwnedByYou": CloudConflict,
    "KeyExists": CloudConflict,
    "BucketNotEmpty": CloudConflict,
    "QuotaExceeded": CloudQuotaExceeded,
    "TooManyBuckets": CloudQuotaExceeded,
    "InvalidArgument": CloudBadRequest,
    "InvalidBucketName": CloudBadRequest,
    "MalformedPolicy": CloudBadRequest,
    "MalformedACLError": CloudBadRequest,
    "InvalidRequest": CloudBadRequest,
    "InternalError": CloudUnavailable,
    "ServiceUnavailable": CloudUnavailable,
    "SlowDown": CloudUnavailable,
}
# Errors whose default sentence speaks of "the cloud" where an object store is meant.
_WORDED = {CloudUnavailable: RgwMessages.UNAVAILABLE, CloudAuthFailed: RgwMessages.KEYS_REFUSED}
# Not reached at all: refused, timed out, no answer RGW would give (an HTML 5xx page).
_UNREACHABLE = (
    requests.ConnectionError,
    requests.Timeout,
    boto_exc.EndpointConnectionError,
    boto_exc.ConnectionError,
    boto_exc.ReadTimeoutError,
    rgw_exc.ServerDown,
)
_BACKEND_ERRORS = (
    rgw_exc.RGWAdminException,
    boto_exc.BotoCoreError,
    boto_exc.ClientError,
    requests.RequestException,
)


def rgw_code(exc: Exception) -> str:
    """RGW's error code ("NoSuchUser"), or "" when it gave none."""
    if isinstance(exc, boto_exc.ClientError):
        return exc.response.get("Error", {}).get("Code", "")
    if isinstance(exc, rgw_exc.RGWAdminException):
        # rgwadmin keeps the JSON answer in `code` for its named exceptions, the code
        # string in `code` (and the answer in `raw`) for the others.
        return exc.code.get("Code", "") if isinstance(exc.code, dict) else str(exc.code or "")
    return ""


def _from_status(status: int) -> CloudError:
    """As for any cloud, in the object store's words where "the cloud" would mislead."""
    error = error_for_status(status)
    worded = _WORDED.get(type(error))
    return type(error)(worded) if worded is not None else error


def to_cloud_error(exc: Exception) -> CloudError:
    """The CloudError that stands for an rgwadmin/botocore/requests exception."""
    if isinstance(exc, _UNREACHABLE):
        return CloudUnavailable(RgwMessages.UNAVAILABLE)
    if isinstance(exc, boto_exc.ParamValidationError):  # boto3 refused it before sending
        return CloudBadRequest()
    error_class = _BY_CODE.get(rgw_code(exc))
    if error_class in _WORDED:
        return error_class(_WORDED[error_class])
    if error_class is not None:
        return error_class()
    if isinstance(exc, boto_exc.ClientError):
        return _from_status(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500))
    return CloudError()


@contextmanager
def translate_errors(operation: str) -> Iterator[None]:
    """Run RGW calls; re-raise what they raise as a CloudError (the original chained)."""
    try:
        yield
    except _BACKEND_ERRORS as exc:
        error = to_cloud_error(exc)
        # Lookups of what is not there are routine (get_user of a new uid): keep them quiet.
        level = logging.INFO if isinstance(error, CloudNotFound) else logging.WARNING
        logger.log(level, "RGW %s failed (%s %s): %s", operation, error.code, rgw_code(exc), exc)
        raise error from exc
