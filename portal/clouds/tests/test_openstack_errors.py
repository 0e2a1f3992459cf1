"""Error translation of the OpenStack driver, for faults a real cloud cannot be made to
produce on demand (HTTP 500, quota wording, hangs): a tiny fake Keystone + Glance on
loopback (pytest-httpserver) and a socket that never answers."""

import logging
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug import Response

from portal.clouds.errors import (
    CloudAuthFailed,
    CloudBadRequest,
    CloudConflict,
    CloudError,
    CloudForbidden,
    CloudNotFound,
    CloudQuotaExceeded,
    CloudUnavailable,
)
from portal.clouds.models import Cloud
from portal.clouds.openstack.driver import OpenStackDriver
from portal.clouds.openstack.session import connections

BACKEND_DETAIL = "backend-detail-7f3a"  # must reach the log, never the error message


def make_cloud(auth_url: str, **options) -> Cloud:
    return Cloud(
        id=None, name="fake", kind="openstack", region="fake", auth_url=auth_url,
        username="admin", password="admin-secret", project_name="admin",
        options={"connect_timeout": 1, "read_timeout": 1, **options},
    )  # fmt: skip


def token_body(base: str) -> dict:
    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    domain = {"id": "default", "name": "Default"}
    endpoint = {"id": "e1", "interface": "public", "region": "RegionOne",
                "region_id": "RegionOne", "url": f"{base}/image"}  # fmt: skip
    return {
        "token": {
            "methods": ["password"], "expires_at": expires, "issued_at": expires,
            "user": {"id": "u1", "name": "admin", "domain": domain},
            "project": {"id": "p1", "name": "admin", "domain": domain},
            "roles": [{"id": "r1", "name": "admin"}],
            "catalog": [{"id": "s1", "type": "image", "name": "glance", "endpoints": [endpoint]}],
        }
    }  # fmt: skip


@pytest.fixture
def fake_cloud(httpserver):
    """Keystone and Glance's version document answer; tests choose what images/... say."""
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/identity/v3/auth/tokens", method="POST").respond_with_json(
        token_body(base), status=201, headers={"X-Subject-Token": "fake-token"}
    )
    link = {"rel": "self", "href": f"{base}/image/v2/"}
    versions = {"versions": [{"id": "v2.16", "status": "CURRENT", "links": [link]}]}
    for path in ("/image", "/image/", "/image/v2", "/image/v2/"):
        httpserver.expect_request(path, method="GET").respond_with_json(versions, status=300)
    connections.clear()
    yield httpserver, make_cloud(f"{base}/identity/v3")
    connections.clear()


def glance_answers(httpserver, status: int, message: str):
    body = {"code": status, "title": "Error", "message": f"{message} ({BACKEND_DETAIL})"}
    httpserver.expect_request("/image/v2/images/abc").respond_with_json(body, status=status)


@pytest.mark.parametrize(
    ("status", "message", "error"),
    [
        (404, "Image abc not found", CloudNotFound),
        (409, "Image is in use", CloudConflict),
        (400, "Invalid disk format", CloudBadRequest),
        (413, "Denying attempt to upload image because it exceeds the quota", CloudQuotaExceeded),
        (403, "Quota exceeded for instances: Requested 1, but already used 1", CloudQuotaExceeded),
        (409, "Quota exceeded for resources: ['network']", CloudQuotaExceeded),
        (500, "Internal error", CloudUnavailable),
        (503, "Service unavailable", CloudUnavailable),
        (401, "The request you have made requires authentication", CloudAuthFailed),
        (422, "Unprocessable entity", CloudBadRequest),
        (429, "Too many requests", CloudUnavailable),
        (405, "Method not allowed", CloudError),  # no meaning the portal can act on
    ],
)
def test_http_errors_become_cloud_errors(fake_cloud, caplog, status, message, error):
    httpserver, cloud = fake_cloud
    glance_answers(httpserver, status, message)
    with (
        caplog.at_level(logging.INFO, logger="portal.clouds.openstack"),
        pytest.raises(error) as raised,
    ):
        OpenStackDriver(cloud).images.get_image("abc")
    assert type(raised.value) is error
    assert raised.value.message == str(error.default_message)
    assert BACKEND_DETAIL in caplog.text


def test_forbidden_without_quota_wording_is_forbidden(fake_cloud):
    httpserver, cloud = fake_cloud
    glance_answers(httpserver, 403, "Policy does not allow this")
    with pytest.raises(CloudForbidden):
        OpenStackDriver(cloud).images.get_image("abc")


def test_errors_while_iterating_pages_are_translated(fake_cloud):
    httpserver, cloud = fake_cloud
    httpserver.expect_request("/image/v2/images").respond_with_data("boom", status=500)
    with pytest.raises(CloudUnavailable):
        list(OpenStackDriver(cloud).images.iter_images())


def test_rejected_login_is_an_auth_failure_and_not_cached(httpserver):
    httpserver.expect_request("/identity/v3/auth/tokens", method="POST").respond_with_json(
        {"error": {"code": 401, "message": "The request you have made requires authentication."}},
        status=401,
    )
    driver = OpenStackDriver(make_cloud(httpserver.url_for("/identity/v3")))
    for _ in range(2):  # the second call logs in again: failures are not cached
        with pytest.raises(CloudAuthFailed):
            driver.compute.list_flavors()
    assert len(httpserver.log) == 2


def test_keystone_500_is_unavailable(httpserver):
    httpserver.expect_request("/identity/v3/auth/tokens").respond_with_response(
        Response("oops", status=500)
    )
    with pytest.raises(CloudUnavailable):
        OpenStackDriver(make_cloud(httpserver.url_for("/identity/v3"))).network.list_networks()


@pytest.fixture
def silent_port():
    """A port that accepts connections (the kernel's backlog) but never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_a_hanging_cloud_times_out_after_the_read_timeout(silent_port):
    cloud = make_cloud(f"http://127.0.0.1:{silent_port}/v3", read_timeout=1.5)
    started = time.monotonic()
    with pytest.raises(CloudUnavailable):
        OpenStackDriver(cloud).images.get_image("abc")
    elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 1.5 + 1.0


def test_a_service_whose_version_discovery_fails_is_unavailable(httpserver):
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/identity/v3/auth/tokens", method="POST").respond_with_json(
        token_body(base), status=201, headers={"X-Subject-Token": "fake-token"}
    )
    httpserver.expect_request("/image").respond_with_data("restarting", status=503)
    with pytest.raises(CloudUnavailable):
        OpenStackDriver(make_cloud(f"{base}/identity/v3")).images.get_image("abc")
