"""Fixtures for tests against the local Ceph RGW (scripts/ceph-lite), shared by every app:
the root conftest.py registers this module with `pytest_plugins`. Mark such tests
`@pytest.mark.rgw`; `make test-objectstorage` starts Ceph-lite and runs them.

The stores are unsaved ObjectStore rows (no database needed); a test that needs a saved
one saves `rgw_store` with its cloud. Users are named `<RUN>-...` and purged (with their
buckets and objects) when the test ends, so the suite can run again on a long-lived RGW.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import boto3
import pytest
from botocore.config import Config
from django.conf import settings
from rgwadmin import RGWAdmin
from rgwadmin.exceptions import NoSuchUser

from portal.clouds.base_object_storage import S3Key, S3Quota
from portal.clouds.drivers import get_object_storage_driver
from portal.clouds.tests.factories import CloudFactory
from portal.objectstorage.models import ObjectStore

CEPH_LITE_ENV = Path(os.environ.get("CEPH_LITE_ENV", "/tmp/portal-ceph-lite/env"))
RGW_SCRIPT = Path(settings.BASE_DIR) / "scripts" / "ceph-lite" / "rgw"
# One id per run: every uid and bucket starts with it, so runs never collide.
RUN = f"rgw{uuid.uuid4().hex[:6]}"


def unique(prefix: str) -> str:
    return f"{RUN}-{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def ceph_lite() -> dict[str, str]:
    """Ceph-lite's env file (URL and keys) as a dict."""
    if not CEPH_LITE_ENV.exists():
        pytest.skip(f"Ceph-lite is not running ({CEPH_LITE_ENV} missing): scripts/ceph-lite/up")
    lines = CEPH_LITE_ENV.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


@pytest.fixture
def make_rgw_store(ceph_lite):
    """An unsaved RGW store; by default Ceph-lite's with the admin user's keys."""

    def make(**fields) -> ObjectStore:
        values = {
            "name": unique("store"),
            "cloud": CloudFactory.build(name=unique("region")),
            "kind": ObjectStore.Kind.RGW,
            "admin_url": ceph_lite["CEPH_LITE_URL"],
            "s3_url": ceph_lite["CEPH_LITE_URL"],
            "access_key": ceph_lite["CEPH_LITE_ADMIN_ACCESS_KEY"],
            "secret_key": ceph_lite["CEPH_LITE_ADMIN_SECRET_KEY"],
            "verify_tls": False,
            "timeout_seconds": 5,
        }
        return ObjectStore(**(values | fields))

    return make


@pytest.fixture
def rgw_store(make_rgw_store):
    return make_rgw_store()


@pytest.fixture
def rgw_driver(rgw_store):
    """The driver as the portal opens it (get_object_storage_driver: timed calls)."""
    return get_object_storage_driver(rgw_store)


@pytest.fixture
def rgw_admin(ceph_lite):
    """rgwadmin as the admin user, for what tests do behind the driver's back (cleanup)."""
    host = ceph_lite["CEPH_LITE_URL"].split("://", 1)[1]
    return RGWAdmin(
        ceph_lite["CEPH_LITE_ADMIN_ACCESS_KEY"],
        ceph_lite["CEPH_LITE_ADMIN_SECRET_KEY"],
        host,
        secure=False,
        timeout=10,
    )


@pytest.fixture
def make_rgw_user(rgw_driver, rgw_admin):
    """A new RGW user made through the driver (uid made unique), purged after the test."""
    made = []

    def make(prefix="user", quota=None):
        uid = unique(prefix)
        made.append(uid)
        return rgw_driver.create_user(uid, f"Test user {uid}", quota or S3Quota())

    yield make
    for uid in made:
        purge_user(rgw_admin, uid)


def purge_user(rgw_admin, uid: str) -> None:
    """Remove the user with its buckets and objects (gone already: nothing to do)."""
    with contextlib.suppress(NoSuchUser):
        rgw_admin.remove_user(quote(uid, safe=""), purge_data=True)


@pytest.fixture
def s3_client(ceph_lite):
    """A plain boto3 S3 client for a key, as a tenant would use it."""

    def client(key: S3Key):
        return boto3.client(
            "s3",
            endpoint_url=ceph_lite["CEPH_LITE_URL"],
            aws_access_key_id=key.access_key,
            aws_secret_access_key=key.secret_key,
            region_name="us-east-1",
            config=Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"}),
        )

    return client


@pytest.fixture
def ceph_lite_rgw_stopped(ceph_lite):
    """radosgw stopped for the test (mon and OSD keep running), started again after it."""
    subprocess.run([str(RGW_SCRIPT), "stop"], check=True, timeout=60)
    try:
        yield
    finally:
        subprocess.run([str(RGW_SCRIPT), "start"], check=True, timeout=120)
