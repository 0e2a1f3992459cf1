"""Faults against real endpoints: nothing listening, wrong admin password."""

import socket
import time

import pytest

from portal.clouds.drivers import get_driver
from portal.clouds.errors import CloudAuthFailed, CloudUnavailable
from portal.clouds.models import Cloud

# django_db: pytest-django creates the test database only for runs that hold such a test.
pytestmark = [pytest.mark.openstack, pytest.mark.django_db]

CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 3.0
MARGIN = 2.0


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_of(cloud, **changes) -> Cloud:
    """An unsaved variant of the harness cloud (the driver needs no database row)."""
    fields = {field.name: getattr(cloud, field.name) for field in Cloud._meta.concrete_fields}
    fields |= {
        "id": None,
        "options": {"connect_timeout": CONNECT_TIMEOUT, "read_timeout": READ_TIMEOUT},
    }
    return Cloud(**(fields | changes))


def test_nothing_listening_is_unavailable_within_the_timeout(openstack_cloud):
    unreachable = copy_of(openstack_cloud, auth_url=f"http://127.0.0.1:{free_port()}/v3")
    started = time.monotonic()
    with pytest.raises(CloudUnavailable):
        get_driver(unreachable).compute.list_flavors()
    assert time.monotonic() - started < CONNECT_TIMEOUT + MARGIN


def test_wrong_admin_password_is_an_auth_failure(openstack_cloud):
    wrong = copy_of(openstack_cloud, password="not-the-admin-password")
    with pytest.raises(CloudAuthFailed) as raised:
        get_driver(wrong).images.get_image("any")
    assert "not-the-admin-password" not in str(raised.value)
