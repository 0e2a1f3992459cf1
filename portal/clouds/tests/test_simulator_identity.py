"""The simulator's Keystone: what sign-up creates, duplicates, logins and deletion."""

import pytest

from portal.clouds import errors
from portal.clouds.base import TenantCredentials
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.testing import make_tenant
from portal.clouds.tests.factories import CloudFactory


@pytest.fixture
def identity(cloud):
    return SimulatorDriver(cloud).identity


@pytest.fixture
def signed_up(identity):
    """What tenant sign-up makes: domain, project, user, role and the assignment."""
    domain = identity.create_domain("t-0000000001", "tenant one")
    project = identity.create_project("t-0000000001", domain)
    user = identity.create_user("t-0000000001", "s3cret", domain, project)
    role = identity.create_role("t-0000000001-member", domain)
    identity.assign_role(role, user, project)
    credentials = TenantCredentials("t-0000000001", "s3cret", project, domain)
    return {
        "domain": domain,
        "project": project,
        "user": user,
        "role": role,
        "credentials": credentials,
    }


def kinds_left(cloud):
    return sorted(SimulatedObject.objects.filter(cloud=cloud).values_list("kind", flat=True))


def test_signed_up_user_can_log_in(identity, signed_up):
    credentials = signed_up["credentials"]

    assert len(signed_up["domain"]) == 32  # Keystone ids are 32 hex digits
    assert identity.check_login(credentials) is True
    wrong_password = TenantCredentials("t-0000000001", "guess", credentials.project_id, "x")
    assert identity.check_login(wrong_password) is False


def test_login_needs_a_role_on_the_project(identity, signed_up):
    identity.unassign_role(signed_up["role"], signed_up["user"], signed_up["project"])

    assert identity.check_login(signed_up["credentials"]) is False


def test_tenant_driver_with_wrong_password_fails_authentication(cloud, signed_up):
    credentials = signed_up["credentials"]
    wrong = TenantCredentials(credentials.username, "guess", credentials.project_id, "d")

    with pytest.raises(errors.CloudAuthFailed) as failed:
        SimulatorDriver(cloud, wrong).images.get_image("anything")
    assert (failed.value.code, failed.value.status) == ("cloud_auth_failed", 502)
    assert "guess" not in failed.value.message


@pytest.mark.parametrize("kind", ["domain", "project", "user", "role"])
def test_duplicate_names_are_a_conflict(identity, signed_up, kind):
    domain, project = signed_up["domain"], signed_up["project"]
    create = {
        "domain": lambda: identity.create_domain("t-0000000001"),
        "project": lambda: identity.create_project("t-0000000001", domain),
        "user": lambda: identity.create_user("t-0000000001", "pw", domain, project),
        "role": lambda: identity.create_role("t-0000000001-member", domain),
    }[kind]

    with pytest.raises(errors.CloudConflict):
        create()


def test_same_names_in_another_domain_are_fine(identity, signed_up):
    other = identity.create_domain("other")

    assert identity.create_project("t-0000000001", other)


def test_unknown_references_are_not_found(identity, signed_up):
    with pytest.raises(errors.CloudNotFound):
        identity.create_project("p", "no-such-domain")
    with pytest.raises(errors.CloudNotFound):
        identity.assign_role("no-such-role", signed_up["user"], signed_up["project"])


def test_assigning_twice_is_harmless(cloud, identity, signed_up):
    identity.assign_role(signed_up["role"], signed_up["user"], signed_up["project"])

    assert kinds_left(cloud).count("role_assignment") == 1


def test_deletion_in_reverse_order_then_again(cloud, identity, signed_up):
    for _ in range(2):  # deleting what is already gone is not an error
        identity.unassign_role(signed_up["role"], signed_up["user"], signed_up["project"])
        identity.delete_role(signed_up["role"])
        identity.delete_user(signed_up["user"])
        identity.delete_project(signed_up["project"])
        identity.delete_domain(signed_up["domain"])

    assert kinds_left(cloud) == []


def test_deleting_the_domain_deletes_what_is_in_it(cloud, identity, signed_up):
    identity.delete_domain(signed_up["domain"])

    assert kinds_left(cloud) == []
    assert identity.check_login(signed_up["credentials"]) is False


def test_identity_is_admin_only(cloud):
    tenant = SimulatorDriver(cloud, make_tenant(cloud, "alpha"))

    with pytest.raises(errors.CloudError) as refused:
        tenant.identity.create_domain("mine")
    assert refused.value.code == "cloud_forbidden"


# ---- stock roles (find_role) ------------------------------------------------------------


@pytest.mark.parametrize("name", ["admin", "member", "reader"])
def test_stock_roles_exist_in_every_cloud_and_are_made_once(cloud, identity, name):
    role_id = identity.find_role(name)

    assert len(role_id) == 32
    assert identity.find_role(name) == role_id
    roles = SimulatedObject.objects.filter(cloud=cloud, kind="role", name=name)
    assert [(role.backend_id, role.parent_id) for role in roles] == [(role_id, "")]


def test_stock_roles_differ_between_clouds(identity):
    other = SimulatorDriver(CloudFactory(name="other")).identity

    assert other.find_role("member") != identity.find_role("member")


def test_find_role_finds_a_created_global_role_not_a_domain_one(identity):
    domain = identity.create_domain("t-0000000001")
    identity.create_role("operator", domain)
    with pytest.raises(errors.CloudNotFound):
        identity.find_role("operator")

    role = identity.create_role("operator")
    assert identity.find_role("operator") == role


def test_a_second_global_member_role_is_refused(identity):
    with pytest.raises(errors.CloudConflict):
        identity.create_role("member")
    assert identity.find_role("member")


def test_an_unknown_role_is_not_found(identity):
    with pytest.raises(errors.CloudNotFound):
        identity.find_role("no-such-role")


def test_a_stock_role_can_be_granted_and_revoked(identity, signed_up):
    member = identity.find_role("member")
    user, project = signed_up["user"], signed_up["project"]

    identity.assign_role(member, user, project)
    identity.unassign_role(signed_up["role"], user, project)
    assert identity.check_login(signed_up["credentials"]) is True
    identity.unassign_role(member, user, project)
    assert identity.check_login(signed_up["credentials"]) is False


def test_only_the_admin_looks_roles_up(cloud, signed_up):
    tenant_identity = SimulatorDriver(cloud, signed_up["credentials"]).identity

    with pytest.raises(errors.CloudForbidden):
        tenant_identity.find_role("member")
