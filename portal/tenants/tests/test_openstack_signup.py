"""Tenant sign-up against the real Keystone (scripts/openstack-lite), with a real Celery
worker: the Keystone objects, the member role that lets the user use Nova and Neutron,
cleanup, and an unreachable Keystone. Run with `pytest -m openstack`."""

import socket
import time

import pytest

from portal.clouds.drivers import get_driver
from portal.clouds.models import Cloud
from portal.clouds.tests.openstack.fixtures import RUN
from portal.core.models import Task
from portal.tenants.credentials import tenant_credentials
from portal.tenants.models import Tenant, TenantIdentity
from portal.tenants.tests.conftest import sign_up

pytestmark = [pytest.mark.openstack, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60


def remove_identity(admin, identity):
    """Delete what sign-up made in Keystone, newest first: the domain last (the driver
    disables it first, as Keystone demands). Each step ignores what is already gone."""
    keystone = admin.identity
    if identity.role_id:
        keystone.delete_role(identity.role_id)
    if identity.user_id:
        keystone.delete_user(identity.user_id)
    if identity.project_id:
        keystone.delete_project(identity.project_id)
    if identity.domain_id:
        keystone.delete_domain(identity.domain_id)


def signed_up(client, admin, cleanup):
    """Sign a tenant up through the API and wait; its Keystone objects go with the test."""
    response = sign_up(client, f"{RUN} Acme", wait=WAIT_SECONDS)
    assert response.status_code == 201, response.content
    body = response.json()
    identity = TenantIdentity.objects.get(tenant_id=body["tenant_id"])
    cleanup.add(remove_identity, admin, identity)
    return body, identity


def test_sign_up_creates_a_tenant_that_can_use_the_cloud(
    openstack_db_cloud,
    openstack_admin,
    openstack_admin_sdk,
    openstack_member_role_id,
    unique_tenant_ids,
    platform_client,
    celery_worker,
    openstack_cleanup,
):
    body, identity = signed_up(platform_client, openstack_admin, openstack_cleanup)

    assert body["task"]["state"] == "succeeded", body["task"]
    assert body["status"] == "active"
    tenant_id = body["tenant_id"]
    sdk = openstack_admin_sdk.identity
    domain = sdk.get_domain(identity.domain_id)
    project = sdk.get_project(identity.project_id)
    user = sdk.get_user(identity.user_id)
    role = sdk.get_role(identity.role_id)
    assert {domain.name, project.name, user.name, role.name} == {tenant_id}
    assert (project.domain_id, user.domain_id) == (domain.id, domain.id)
    granted = sdk.role_assignments(user_id=user.id, scope_project_id=project.id)
    assert {a.role["id"] for a in granted} == {role.id, openstack_member_role_id}
    assert identity.member_role_id == openstack_member_role_id

    # The tenant's own user logs in and, with the member role, may use Nova and Neutron.
    credentials = tenant_credentials(identity)
    assert openstack_admin.identity.check_login(credentials)
    tenant_driver = get_driver(openstack_db_cloud, credentials)
    assert list(tenant_driver.compute.iter_servers()) == []
    network = tenant_driver.network.create_network(f"{RUN}-{tenant_id}-net")
    openstack_cleanup.add(tenant_driver.network.delete_network, network.id)
    assert network.project_id == identity.project_id
    tenant_driver.network.delete_network(network.id)

    remove_identity(openstack_admin, identity)
    assert sdk.find_domain(identity.domain_id) is None
    assert sdk.find_project(identity.project_id) is None
    assert sdk.find_user(identity.user_id) is None
    assert sdk.find_role(identity.role_id) is None
    assert not openstack_admin.identity.check_login(credentials)


@pytest.fixture
def silent_port():
    """A loopback port that accepts connections and never answers (a hung Keystone)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


def free_port():
    """A loopback port with nothing listening (a stopped Keystone): refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_default_cloud_at(cloud, auth_url):
    """A copy of the harness cloud, at `auth_url`, as the only cloud sign-up uses."""
    Cloud.objects.update(is_default=False, enabled=False)
    cloud.pk = None
    cloud.name = f"{RUN}-broken-{time.monotonic_ns()}"
    cloud.region = cloud.name
    cloud.auth_url = auth_url
    cloud.is_default = True
    cloud.save()
    return cloud


@pytest.mark.parametrize("port_kind", ["refused", "silent"])
def test_an_unreachable_keystone_fails_the_sign_up_within_the_timeout(
    openstack_db_cloud, platform_client, celery_worker, settings, silent_port, port_kind
):
    # The worker runs in this process, so it reads these settings too.
    settings.CLOUD_CONNECT_TIMEOUT = 1.0
    settings.CLOUD_READ_TIMEOUT = 2.0
    port = silent_port if port_kind == "silent" else free_port()
    make_default_cloud_at(openstack_db_cloud, f"http://127.0.0.1:{port}/v3")

    started = time.monotonic()
    response = sign_up(platform_client, f"{RUN} Unreachable", wait=WAIT_SECONDS)
    elapsed = time.monotonic() - started

    assert response.status_code == 201, response.content
    task = Task.objects.get(pk=response.json()["task"]["task_id"])
    assert (task.state, task.error_code) == (Task.State.FAILED, "unavailable"), task.message
    # Well under the default timeouts (5 s connect, 60 s read): the small ones applied.
    assert elapsed < 15, elapsed
    tenant = Tenant.objects.get(pk=response.json()["tenant_id"])
    assert tenant.status == Tenant.Status.FAILED
    assert tenant.status_message == task.message
    assert not Tenant.objects.filter(status=Tenant.Status.PROVISIONING).exists()
    identity = tenant.identities.get()
    assert (identity.domain_id, identity.project_id, identity.user_id, identity.role_id) == (
        ("", "", "", "")
    )
