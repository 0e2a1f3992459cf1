"""Fixtures every app's tests share: clouds, staff, API clients for each kind of caller."""

import json

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.db import transaction
from rest_framework.test import APIClient

from portal.celery import app as celery_app
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.sync import request_sync
from portal.clouds.tests.factories import CloudFactory
from portal.tenants.tests.factories import TenantFactory, make_platform_key, make_tenant_key

# The OpenStack-lite fixtures (openstack_cloud, openstack_admin, make_openstack_tenant ...)
# for every app's `@pytest.mark.openstack` tests, and the Ceph-lite ones (rgw_store, rgw,
# make_rgw_user ...) for `@pytest.mark.rgw` tests, and the Azure ones (azure_cloud, arm: the
# replay of recorded ARM exchanges).
pytest_plugins = [
    "portal.clouds.tests.openstack.fixtures",
    "portal.clouds.tests.rgw_fixtures",
    "portal.clouds.tests.azure.fixtures",
]


def pytest_collection_modifyitems(config, items):
    """The suite runs on PostgreSQL and again on SQLite (`make test-sqlite`, the embedded
    default): a test of one database's own code path is skipped on the other."""
    from django.db import connection

    for item in items:
        for vendor in ("postgres", "sqlite"):
            if item.get_closest_marker(vendor) and not connection.vendor.startswith(vendor):
                item.add_marker(pytest.mark.skip(reason=f"{vendor} only"))


@pytest.fixture(scope="session", autouse=True)
def celery_knows_every_job():
    """Jobs are enqueued by name (a worker imports every app's tasks.py when it starts);
    eager runs in this process need the registry to hold them too."""
    celery_app.loader.import_default_modules()


@pytest.fixture
def cloud(db):
    """The default cloud: a simulator with no delays."""
    return CloudFactory(name="sim", region="region-one", is_default=True)


@pytest.fixture
def driver(cloud):
    """The default cloud's driver, with its admin credentials."""
    return SimulatorDriver(cloud)


@pytest.fixture
def sync_now(django_capture_on_commit_callbacks):
    """`sync_now(kind, cloud)`: queue a pull as an operator's "Sync now" does and run its
    job at once; returns its Task, refreshed."""

    def run(kind, cloud):
        with django_capture_on_commit_callbacks(execute=True):
            _cloud, task = request_sync(kind, cloud=cloud, actor="staff:alice")
        task.refresh_from_db()
        return task

    return run


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        "operator", "operator@example.com", "pw", is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_client(staff_user):
    client = APIClient()
    client.force_login(staff_user)
    return client


@pytest.fixture
def admin_client(client, staff_user):
    """A browser session of the operator in the admin (overrides pytest-django's)."""
    client.force_login(staff_user)
    return client


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def platform_client(db):
    _, key = make_platform_key()
    return APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}")


def tenant_client(tenant, platform_user_id="user-1"):
    """An API client calling as `tenant` with a fresh key of its own."""
    _, key = make_tenant_key(tenant)
    return APIClient(
        HTTP_AUTHORIZATION=f"Api-Key {key}",
        HTTP_X_TENANT_ID=tenant.tenant_id,
        HTTP_X_PLATFORM_USER_ID=platform_user_id,
    )


@pytest.fixture
def tenant(db):
    return TenantFactory()


@pytest.fixture
def other_tenant(db):
    return TenantFactory()


@pytest.fixture
def client_of_tenant(tenant):
    return tenant_client(tenant)


@pytest.fixture
def client_of_other_tenant(other_tenant):
    return tenant_client(other_tenant)


@pytest.fixture
def run_commit_hooks(monkeypatch):
    """Run on_commit callbacks (task queueing) as they are registered, Celery in eager mode.

    A test's own transaction never commits, so on_commit callbacks would never run; and
    django_capture_on_commit_callbacks(execute=True) runs them only when it exits, after
    the test's assertions. Here each runs at once, inside the caller's transaction block.
    """
    callbacks = []

    def run_now(func, using=None, robust=False):
        callbacks.append(func)
        func()

    monkeypatch.setattr(transaction, "on_commit", run_now)
    return callbacks


@pytest.fixture
def celery_worker():
    """A real Celery worker thread consuming from the test broker (CELERY_BROKER_URL), with
    the app out of eager mode while it runs. Use with django_db(transaction=True): the
    worker's own database connection sees only committed rows."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture
def fresh_cache():
    """The cache (this suite's own Redis DB) emptied before and after the test."""
    cache.clear()
    yield cache
    cache.clear()


PLATFORM_AUTHZ_PATH = "/authz"


@pytest.fixture
def platform(httpserver, settings, fresh_cache):
    """The platform's permission endpoint: a real HTTP server on loopback (answers are set
    by each test with `platform.expect_request(PLATFORM_AUTHZ_PATH, ...)`), with a short
    timeout for the slow tests and no decision cached from another test."""
    settings.PLATFORM_AUTHZ_URL = httpserver.url_for(PLATFORM_AUTHZ_PATH)
    settings.PLATFORM_AUTHZ_TIMEOUT = 0.5
    settings.PLATFORM_AUTHZ_CACHE_SECONDS = 30
    return httpserver


def platform_questions(platform) -> list[dict]:
    """What the portal asked the platform, in order (the JSON bodies it POSTed)."""
    return [json.loads(request.get_data()) for request, _response in platform.log]
