"""Fixtures for integration tests against the local OpenStack (scripts/openstack-lite),
shared by every app: the root conftest.py registers this module with `pytest_plugins`.
Mark such tests `@pytest.mark.openstack`; run them with `pytest -m openstack`.

The fixtures are named `openstack_*` so that no app's own `cloud`, `admin` or `image`
fixture hides them. Nothing is skipped: if the stack cannot be reached the tests fail and
say how to start it (CI starts it first). Every object is named `<RUN>-...` and removed by
a finalizer, so the suite can run again and again on a long-lived stack.

Driver-level tests (`django_db`) use `openstack_cloud`, a row made once per session. Tests
of services with a real Celery worker (`django_db(transaction=True)`) use
`openstack_db_cloud`: the database is emptied after each such test, so the row is written
again for each.
"""

from __future__ import annotations

import io
import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal.clouds.base import TenantCredentials
from portal.clouds.drivers import get_driver
from portal.clouds.errors import CloudError, CloudNotFound
from portal.clouds.openstack.clouds_yaml import import_cloud, pick_cloud, read_clouds
from portal.clouds.openstack.waiting import wait_for_server_gone, wait_for_volume

CLOUDS_YAML = Path(
    os.environ.get("OSLITE_CLOUDS_YAML", "~/.cache/portal-oslite/clouds.yaml")
).expanduser()
CLOUD_NAME = os.environ.get("OSLITE_CLOUD", "oslite-admin")
HOW_TO_START = "start it with scripts/openstack-lite/up (status: scripts/openstack-lite/status)"

# One id per run: every name starts with it, so runs never collide and leftovers are known.
RUN = f"ost{uuid.uuid4().hex[:6]}"
# A region name of our own: the portal's test data may hold a "RegionOne" already.
REGION = f"{RUN}-region"
IMAGE_SIZE = 1024 * 1024


class Cleanup:
    """Undo steps run last-in first-out; one failing step does not stop the others, but
    the test run reports it (a leak on a long-lived stack must not go unnoticed). A step
    whose object is gone already (the test removed it) has nothing left to undo."""

    def __init__(self):
        self._steps = []

    def add(self, func, *args, **kwargs):
        self._steps.append((func, args, kwargs))

    def run(self):
        failures = []
        while self._steps:
            func, args, kwargs = self._steps.pop()
            try:
                func(*args, **kwargs)
            except CloudNotFound:
                pass
            except (CloudError, AssertionError) as exc:
                failures.append(f"{func.__qualname__}{args}: {exc!r}")
        if failures:
            pytest.fail("cleanup failed: " + "; ".join(failures))


def _cleanup_fixture(request):
    cleanup = Cleanup()
    request.addfinalizer(cleanup.run)
    return cleanup


@pytest.fixture
def openstack_cleanup(request):
    return _cleanup_fixture(request)


@pytest.fixture(scope="module")
def openstack_module_cleanup(request):
    return _cleanup_fixture(request)


@pytest.fixture(scope="session")
def openstack_session_cleanup(request):
    return _cleanup_fixture(request)


def _check_keystone_reachable(auth_url: str) -> None:
    parts = urlsplit(auth_url)
    try:
        socket.create_connection((parts.hostname, parts.port or 80), timeout=3).close()
    except OSError as exc:
        pytest.fail(f"OpenStack-lite is not reachable at {auth_url} ({exc}); {HOW_TO_START}")


@pytest.fixture(scope="session")
def openstack_reachable():
    """The harness's clouds.yaml exists and its Keystone answers (else the test fails)."""
    if not CLOUDS_YAML.is_file():
        pytest.fail(
            f"no clouds.yaml at {CLOUDS_YAML}: OpenStack-lite is not set up; {HOW_TO_START}"
        )
    _, entry = pick_cloud(read_clouds(CLOUDS_YAML), CLOUD_NAME)
    _check_keystone_reachable(entry["auth"]["auth_url"])


def register_openstack_cloud(*, make_default: bool = False):
    """The harness cloud as a Cloud row, registered the way an operator would do it
    (manage.py import_clouds_yaml)."""
    return import_cloud(CLOUDS_YAML, CLOUD_NAME, region=REGION, make_default=make_default).cloud


@pytest.fixture(scope="session")
def openstack_cloud(openstack_reachable, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return register_openstack_cloud()


@pytest.fixture
def openstack_db_cloud(openstack_reachable, transactional_db):
    """The harness cloud's row in a transactional test's database (see the module doc),
    the default cloud: where sign-up sets tenants up."""
    return register_openstack_cloud(make_default=True)


@pytest.fixture
def unique_tenant_ids(transactional_db):
    """Start the portal's tenant numbers at a random point: sign-up names the Keystone
    domain, project, user and role after the tenant id, and the stack is shared by runs
    and engineers, so t-0000000001 would collide."""
    from portal.tenants.models import TenantIdCounter

    TenantIdCounter.objects.update_or_create(
        pk=1, defaults={"last_number": int(uuid.uuid4().int % 9_000_000_000) + 10**9}
    )


@pytest.fixture(scope="session")
def openstack_admin(openstack_cloud):
    return get_driver(openstack_cloud)


@pytest.fixture(scope="session")
def openstack_admin_sdk(openstack_admin):
    """The admin's openstacksdk connection, for what the portal never does itself
    (setting a project's Nova quota, looking at what a test made)."""
    return openstack_admin.handle.connection()


def create_boot_image(images, cleanup, prefix=RUN):
    """A small public raw image `<prefix>-boot`, active: the source of every boot volume.
    Its removal is queued on `cleanup`."""
    info = images.create_image(f"{prefix}-boot", "raw", "bare", visibility="public")
    cleanup.add(images.delete_image, info.id)
    return images.upload_image_data(info.id, io.BytesIO(bytes(IMAGE_SIZE)), IMAGE_SIZE)


def create_flavors(compute, cleanup, prefix=RUN):
    """Three public flavors `<prefix>-small|medium|large` that differ in RAM/vCPUs (disk
    lives on the boot volume), by size. Their removal is queued on `cleanup`."""
    made = {}
    for size, vcpus, ram in (("small", 1, 128), ("medium", 1, 192), ("large", 2, 256)):
        flavor = compute.create_flavor(f"{prefix}-{size}", vcpus, ram, 1)
        cleanup.add(compute.delete_flavor, flavor.id)
        made[size] = flavor
    return made


@pytest.fixture(scope="session")
def openstack_image(openstack_admin, openstack_session_cleanup):
    return create_boot_image(openstack_admin.images, openstack_session_cleanup)


@pytest.fixture(scope="session")
def openstack_flavors(openstack_admin, openstack_session_cleanup):
    return create_flavors(openstack_admin.compute, openstack_session_cleanup)


@pytest.fixture(scope="session")
def openstack_network(openstack_admin, openstack_session_cleanup):
    network = openstack_admin.network
    net = network.create_network(f"{RUN}-net")
    openstack_session_cleanup.add(network.delete_network, net.id)
    network.create_subnet(net.id, "10.99.0.0/24", name=f"{RUN}-subnet")
    return network.get_network(net.id)


@pytest.fixture(scope="session")
def openstack_member_role_id(openstack_admin):
    """The stock `member` role, which Nova, Cinder and Neutron's default policies require."""
    return openstack_admin.identity.find_role("member")


@dataclass(frozen=True)
class KeystoneTenant:
    credentials: TenantCredentials
    user_id: str
    role_id: str


def create_keystone_tenant(identity, name, member_role_id, cleanup) -> KeystoneTenant:
    """A tenant's Keystone objects as sign-up makes them: domain, project, user and role,
    the user granted its role and `member`; each removal is queued on `cleanup`."""
    domain_id = identity.create_domain(name)
    cleanup.add(identity.delete_domain, domain_id)
    project_id = identity.create_project(name, domain_id)
    cleanup.add(identity.delete_project, project_id)
    password = uuid.uuid4().hex
    user_id = identity.create_user(name, password, domain_id, project_id)
    cleanup.add(identity.delete_user, user_id)
    role_id = identity.create_role(name)
    cleanup.add(identity.delete_role, role_id)
    for role in (role_id, member_role_id):
        identity.assign_role(role, user_id, project_id)
    credentials = TenantCredentials(name, password, project_id, domain_id, domain_id)
    return KeystoneTenant(credentials, user_id, role_id)


@pytest.fixture(scope="module")
def make_openstack_tenant(openstack_admin, openstack_member_role_id, openstack_module_cleanup):
    """Sign a tenant up as the portal does: domain, project, user, role (+ `member`).
    Returns its credentials; removed with the module."""

    def make(label: str) -> TenantCredentials:
        return create_keystone_tenant(
            openstack_admin.identity,
            f"{RUN}-{label}",
            openstack_member_role_id,
            openstack_module_cleanup,
        ).credentials

    return make


def delete_server(driver, server_id: str) -> None:
    """Delete and wait until it is gone, so its ports and boot volume are released."""
    driver.compute.delete_server(server_id)
    wait_for_server_gone(driver, server_id)


def delete_volume(driver, volume_id: str) -> None:
    """Delete a data volume once no server holds it any more."""
    wait_for_volume(driver, volume_id, {"available", "error"}, timeout=60)
    driver.volumes.delete_volume(volume_id)
