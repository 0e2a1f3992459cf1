"""RGW error mapping for the faults Ceph-lite cannot be made to give (a proxy's HTML 5xx,
RGW overloaded); the others are caused for real in test_rgw_driver.py."""

import pytest
import requests
from botocore.exceptions import ClientError, ParamValidationError, ReadTimeoutError
from rgwadmin.exceptions import RGWAdminException, ServerDown

from portal.clouds.errors import (
    CloudAuthFailed,
    CloudBadRequest,
    CloudError,
    CloudNotFound,
    CloudQuotaExceeded,
    CloudUnavailable,
)
from portal.clouds.rgw.errors import rgw_code, to_cloud_error, translate_errors


def s3_error(code, status):
    answer = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(answer, "PutObject")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ServerDown(None), CloudUnavailable),  # an answer without RGW's JSON: a proxy's page
        (s3_error("SlowDown", 503), CloudUnavailable),
        (s3_error("SomethingNew", 500), CloudUnavailable),
        (s3_error("SomethingNew", 400), CloudBadRequest),
        (s3_error("QuotaExceeded", 403), CloudQuotaExceeded),
        (s3_error("NoSuchBucket", 404), CloudNotFound),
        (RGWAdminException("SignatureDoesNotMatch", raw={}), CloudAuthFailed),
        (RGWAdminException("SomethingNew", raw={}), CloudError),
        (ParamValidationError(report="bad bucket name"), CloudBadRequest),
        (ReadTimeoutError(endpoint_url="http://rgw"), CloudUnavailable),
        (requests.ConnectTimeout(), CloudUnavailable),
    ],
)
def test_backend_errors_become_cloud_errors(exc, expected):
    assert type(to_cloud_error(exc)) is expected


def test_the_sentence_hides_the_backend_and_the_cause_keeps_it():
    with pytest.raises(CloudUnavailable) as caught, translate_errors("get_user"):
        raise s3_error("ServiceUnavailable", 503)
    assert "ServiceUnavailable" not in caught.value.message
    assert rgw_code(caught.value.__cause__) == "ServiceUnavailable"
