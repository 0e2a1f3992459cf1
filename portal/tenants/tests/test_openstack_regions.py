"""A tenant in a second region against the real Keystone (scripts/openstack-lite), with a
real Celery worker: registering the OpenStack cloud beside the default (simulator) one
sets existing tenants up in its Keystone, and a sign-up then sets up in both. Run with
`pytest -m openstack`."""

import time
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from portal.clouds.drivers import get_driver
from portal.clouds.models import Cloud
from portal.clouds.openstack.clouds_yaml import pick_cloud, read_clouds
from portal.clouds.tests.factories import CloudFactory
from portal.clouds.tests.openstack.fixtures import CLOUD_NAME, CLOUDS_YAML, RUN
from portal.tenants.credentials import tenant_credentials
from portal.tenants.models import TenantIdentity
from portal.tenants.tests.conftest import sign_up
from portal.tenants.tests.test_openstack_signup import WAIT_SECONDS, remove_identity

pytestmark = [pytest.mark.openstack, pytest.mark.django_db(transaction=True)]

SECOND = f"{RUN}-second"


@pytest.fixture
def second_clouds_yaml(openstack_reachable, tmp_path):
    """The harness's clouds.yaml entry under a name of this run's own, so registering it
    is a new cloud (what opens it) whatever rows earlier tests left."""
    _name, entry = pick_cloud(read_clouds(CLOUDS_YAML), CLOUD_NAME)
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {SECOND: entry}}))
    return path


def ready_identity(tenant_id, cloud, cleanup, admin):
    """Wait until the tenant's set-up in `cloud` ends; it must have succeeded. Its Keystone
    objects are removed with the test."""
    deadline = time.monotonic() + WAIT_SECONDS
    identity = None
    while time.monotonic() < deadline:
        identity = TenantIdentity.objects.filter(tenant_id=tenant_id, cloud=cloud).first()
        if identity is not None and identity.state != TenantIdentity.State.PENDING:
            break
        time.sleep(0.5)
    assert identity is not None, "no identity in the second cloud"
    cleanup.add(remove_identity, admin, identity)
    assert identity.state == TenantIdentity.State.READY, identity.state_message
    return identity


def assert_in_keystone(sdk, identity):
    domain = sdk.identity.get_domain(identity.domain_id)
    project = sdk.identity.get_project(identity.project_id)
    user = sdk.identity.get_user(identity.user_id)
    assert {domain.name, project.name, user.name} == {identity.tenant_id}
    assert (project.domain_id, user.domain_id) == (domain.id, domain.id)


def test_a_registered_cloud_and_later_sign_ups_set_tenants_up_in_its_keystone(
    second_clouds_yaml,
    openstack_admin,
    openstack_admin_sdk,
    unique_tenant_ids,
    platform_client,
    celery_worker,
    openstack_cleanup,
):
    Cloud.objects.update(enabled=False, is_default=False)
    CloudFactory(name=f"{RUN}-sim", region=f"{RUN}-sim", is_default=True)
    early = sign_up(platform_client, f"{RUN} Early", wait=WAIT_SECONDS).json()
    assert [r["state"] for r in early["regions"]] == ["ready"]

    call_command(
        "import_clouds_yaml", str(second_clouds_yaml), "--cloud", SECOND, "--region", SECOND,
        stdout=StringIO(),
    )  # fmt: skip

    second = Cloud.objects.get(name=SECOND)
    identity = ready_identity(early["tenant_id"], second, openstack_cleanup, openstack_admin)
    assert_in_keystone(openstack_admin_sdk, identity)
    assert openstack_admin.identity.check_login(tenant_credentials(identity))
    # Its own user works in the new region's services.
    own = get_driver(second, tenant_credentials(identity))
    assert list(own.compute.iter_servers()) == []

    later = sign_up(platform_client, f"{RUN} Later", wait=WAIT_SECONDS).json()
    identity = ready_identity(later["tenant_id"], second, openstack_cleanup, openstack_admin)
    assert {r["region"]: r["state"] for r in later["regions"]} == {
        f"{RUN}-sim": "ready",
        SECOND: "ready",
    }
    assert_in_keystone(openstack_admin_sdk, identity)
