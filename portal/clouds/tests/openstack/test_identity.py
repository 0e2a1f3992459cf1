"""Keystone through the driver: what tenant sign-up creates, login, and removal."""

import uuid
from dataclasses import replace

import pytest

from portal.clouds.errors import CloudNotFound
from portal.clouds.tests.openstack.fixtures import RUN, create_keystone_tenant

# django_db: pytest-django creates the test database only for runs that hold such a test.
pytestmark = [pytest.mark.openstack, pytest.mark.django_db]


def test_sign_up_login_and_removal(
    openstack_admin, openstack_admin_sdk, openstack_member_role_id, openstack_cleanup
):
    identity = openstack_admin.identity
    tenant = create_keystone_tenant(
        identity, f"{RUN}-signup", openstack_member_role_id, openstack_cleanup
    )
    login, user_id, role_id = tenant.credentials, tenant.user_id, tenant.role_id
    project_id, domain_id = login.project_id, login.user_domain_id

    user = openstack_admin_sdk.identity.get_user(user_id)
    assert user.default_project_id == project_id
    assert user.domain_id == domain_id

    assert identity.check_login(login) is True
    assert identity.check_login(replace(login, password="not-the-password")) is False

    # Removal in reverse order; the domain is disabled first by the driver.
    identity.unassign_role(role_id, user_id, project_id)
    identity.unassign_role(openstack_member_role_id, user_id, project_id)
    identity.delete_role(role_id)
    identity.delete_user(user_id)
    identity.delete_project(project_id)
    identity.delete_domain(domain_id)
    assert identity.check_login(login) is False
    with pytest.raises(CloudNotFound):
        openstack_admin.identity.assign_role(role_id, user_id, project_id)


def test_deleting_what_is_gone_is_not_an_error(openstack_admin, openstack_admin_sdk):
    identity = openstack_admin.identity
    missing = uuid.uuid4().hex

    assert identity.unassign_role(missing, missing, missing) is None
    assert identity.delete_role(missing) is None
    assert identity.delete_user(missing) is None
    assert identity.delete_project(missing) is None
    assert identity.delete_domain(missing) is None

    keystone = openstack_admin_sdk.identity
    for find in (
        keystone.find_role,
        keystone.find_user,
        keystone.find_project,
        keystone.find_domain,
    ):
        assert find(missing, ignore_missing=True) is None  # nothing was made in its place


def test_find_role(openstack_admin, openstack_admin_sdk):
    member = openstack_admin_sdk.identity.find_role("member", ignore_missing=False)

    assert openstack_admin.identity.find_role("member") == member.id
    with pytest.raises(CloudNotFound):
        openstack_admin.identity.find_role(f"{RUN}-no-such-role")
