"""Fixtures for the driver's integration tests against the local OpenStack
(scripts/openstack-lite). Run with `pytest -m openstack portal/clouds/tests/openstack`.

Nothing is skipped: if the stack cannot be reached the tests fail and say how to start it
(CI starts it first). Every object is named `<RUN>-...` and removed by a finalizer, so the
suite can run again and again on a long-lived stack.
"""

from __future__ import annotations

import io
import os
import socket
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal.clouds.base import TenantCredentials
from portal.clouds.drivers import get_driver
from portal.clouds.errors import CloudError
from portal.clouds.openstack.clouds_yaml import import_cloud, pick_cloud, read_clouds
from portal.clouds.openstack.waiting import wait_for_server_gone, wait_for_volume

CLOUDS_YAML = Path(
    os.environ.get("OSLITE_CLOUDS_YAML", "~/.cache/portal-oslite/clouds.yaml")
).expanduser()
CLOUD_NAME = os.environ.get("OSLITE_CLOUD", "oslite-admin")
HOW_TO_START = "start it with scripts/openstack-lite/up (status: scripts/openstack-lite/status)"

# One id per run: every name starts with it, so runs never collide and leftovers are known.
RUN = f"ost{uuid.uuid4().hex[:6]}"
IMAGE_SIZE = 1024 * 1024


class Cleanup:
    """Undo steps run last-in first-out; one failing step does not stop the others, but
    the test run reports it (a leak on a long-lived stack must not go unnoticed)."""

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
            except (CloudError, AssertionError) as exc:
                failures.append(f"{func.__qualname__}{args}: {exc!r}")
        if failures:
            pytest.fail("cleanup failed: " + "; ".join(failures))


def _cleanup_fixture(request):
    cleanup = Cleanup()
    request.addfinalizer(cleanup.run)
    return cleanup


@pytest.fixture
def cleanup(request):
    return _cleanup_fixture(request)


@pytest.fixture(scope="module")
def module_cleanup(request):
    return _cleanup_fixture(request)


@pytest.fixture(scope="session")
def session_cleanup(request):
    return _cleanup_fixture(request)


def _check_keystone_reachable(auth_url: str) -> None:
    parts = urlsplit(auth_url)
    try:
        socket.create_connection((parts.hostname, parts.port or 80), timeout=3).close()
    except OSError as exc:
        pytest.fail(f"OpenStack-lite is not reachable at {auth_url} ({exc}); {HOW_TO_START}")


@pytest.fixture(scope="session")
def cloud(django_db_setup, django_db_blocker):
    """The harness cloud as a Cloud row, registered the way an operator would do it."""
    if not CLOUDS_YAML.is_file():
        pytest.fail(
            f"no clouds.yaml at {CLOUDS_YAML}: OpenStack-lite is not set up; {HOW_TO_START}"
        )
    _, entry = pick_cloud(read_clouds(CLOUDS_YAML), CLOUD_NAME)
    _check_keystone_reachable(entry["auth"]["auth_url"])
    with django_db_blocker.unblock():
        # A region name of our own: the portal's test data may hold a "RegionOne" already.
        return import_cloud(CLOUDS_YAML, CLOUD_NAME, region=f"{RUN}-region").cloud


@pytest.fixture(scope="session")
def admin(cloud):
    return get_driver(cloud)


@pytest.fixture(scope="session")
def admin_sdk(admin):
    """The admin's openstacksdk connection, for what the portal never does itself
    (setting a project's Nova quota, finding the stock `member` role)."""
    return admin.handle.connection()


@pytest.fixture(scope="session")
def image(admin, session_cleanup):
    """A small public raw image, active: the source of every boot volume."""
    info = admin.images.create_image(f"{RUN}-boot", "raw", "bare", visibility="public")
    session_cleanup.add(admin.images.delete_image, info.id)
    return admin.images.upload_image_data(info.id, io.BytesIO(bytes(IMAGE_SIZE)), IMAGE_SIZE)


@pytest.fixture(scope="session")
def flavors(admin, session_cleanup):
    """Three public flavors that differ in RAM/vCPUs (disk lives on the boot volume)."""
    made = {}
    for size, vcpus, ram in (("small", 1, 128), ("medium", 1, 192), ("large", 2, 256)):
        flavor = admin.compute.create_flavor(f"{RUN}-{size}", vcpus, ram, 1)
        session_cleanup.add(admin.compute.delete_flavor, flavor.id)
        made[size] = flavor
    return made


@pytest.fixture(scope="session")
def network(admin, session_cleanup):
    net = admin.network.create_network(f"{RUN}-net")
    session_cleanup.add(admin.network.delete_network, net.id)
    admin.network.create_subnet(net.id, "10.99.0.0/24", name=f"{RUN}-subnet")
    return admin.network.get_network(net.id)


@pytest.fixture(scope="session")
def member_role_id(admin_sdk):
    return admin_sdk.identity.find_role("member", ignore_missing=False).id


@pytest.fixture(scope="module")
def make_tenant(admin, member_role_id, module_cleanup):
    """Sign a tenant up as the portal does: domain, project, user, role (+ `member`, which
    Nova, Cinder and Neutron require). Returns its credentials; removed with the module."""

    def make(label: str) -> TenantCredentials:
        name = f"{RUN}-{label}"
        identity = admin.identity
        domain_id = identity.create_domain(name)
        module_cleanup.add(identity.delete_domain, domain_id)
        project_id = identity.create_project(name, domain_id)
        module_cleanup.add(identity.delete_project, project_id)
        password = uuid.uuid4().hex
        user_id = identity.create_user(name, password, domain_id, project_id)
        module_cleanup.add(identity.delete_user, user_id)
        role_id = identity.create_role(name)
        module_cleanup.add(identity.delete_role, role_id)
        for role in (role_id, member_role_id):
            identity.assign_role(role, user_id, project_id)
        return TenantCredentials(name, password, project_id, domain_id, domain_id)

    return make


def delete_server(driver, server_id: str) -> None:
    """Delete and wait until it is gone, so its ports and boot volume are released."""
    driver.compute.delete_server(server_id)
    wait_for_server_gone(driver, server_id)


def delete_volume(driver, volume_id: str) -> None:
    """Delete a data volume once no server holds it any more."""
    wait_for_volume(driver, volume_id, {"available", "error"}, timeout=60)
    driver.volumes.delete_volume(volume_id)
