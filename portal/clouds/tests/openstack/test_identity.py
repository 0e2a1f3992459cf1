"""Keystone through the driver: what tenant sign-up creates, login, and removal."""

import uuid

import pytest

from portal.clouds.base import TenantCredentials
from portal.clouds.errors import CloudNotFound
from portal.clouds.tests.openstack.fixtures import RUN

# django_db: pytest-django creates the test database only for runs that hold such a test.
pytestmark = [pytest.mark.openstack, pytest.mark.django_db]


def test_sign_up_login_and_removal(
    openstack_admin, openstack_admin_sdk, openstack_member_role_id, openstack_cleanup
):
    identity = openstack_admin.identity
    name = f"{RUN}-signup"
    domain_id = identity.create_domain(name, description="integration test")
    openstack_cleanup.add(identity.delete_domain, domain_id)
    project_id = identity.create_project(name, domain_id)
    openstack_cleanup.add(identity.delete_project, project_id)
    password = uuid.uuid4().hex
    user_id = identity.create_user(name, password, domain_id, project_id)
    openstack_cleanup.add(identity.delete_user, user_id)
    role_id = identity.create_role(name)
    openstack_cleanup.add(identity.delete_role, role_id)
    identity.assign_role(role_id, user_id, project_id)
    identity.assign_role(openstack_member_role_id, user_id, project_id)

    user = openstack_admin_sdk.identity.get_user(user_id)
    assert user.default_project_id == project_id
    assert user.domain_id == domain_id

    login = TenantCredentials(name, password, project_id, domain_id, domain_id)
    assert identity.check_login(login) is True
    wrong = TenantCredentials(name, "not-the-password", project_id, domain_id, domain_id)
    assert identity.check_login(wrong) is False

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


def test_deleting_what_is_gone_is_not_an_error(openstack_admin):
    missing = uuid.uuid4().hex
    openstack_admin.identity.unassign_role(missing, missing, missing)
    openstack_admin.identity.delete_role(missing)
    openstack_admin.identity.delete_user(missing)
    openstack_admin.identity.delete_project(missing)
    openstack_admin.identity.delete_domain(missing)


def test_find_role(openstack_admin, openstack_admin_sdk):
    member = openstack_admin_sdk.identity.find_role("member", ignore_missing=False)

    assert openstack_admin.identity.find_role("member") == member.id
    with pytest.raises(CloudNotFound):
        openstack_admin.identity.find_role(f"{RUN}-no-such-role")
