"""Security groups and their rules count against the tenant's quota: reserved when asked
for, settled to what the cloud holds when the Task ends, given back on a failure or a
delete; a request past the quota is a 409 before anything is written."""

import pytest

from portal.core.models import Task
from portal.network.models import SecurityGroup
from portal.network.tests.security_group_helpers import DNS, LIST, PING, SSH, WEB, call, detail
from portal.servers.tests.factories import make_identity
from portal.tenants.quotas import quota_of, usage_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


@pytest.fixture
def identity(tenant, cloud):
    return make_identity(tenant, cloud)


def used(tenant):
    usage = usage_of(tenant)
    return usage["security_groups"], usage["security_group_rules"]


def limit(tenant, **limits):
    quota = quota_of(tenant)
    for name, value in limits.items():
        setattr(quota, name, value)
    quota.save()


def create(client, rules, expect=202, name="web"):
    body = {"security_group_name": name, "security_group_rule_sets": rules}
    return call(client, "post", LIST, body, expect)


def test_a_group_and_its_rules_are_held_until_it_is_deleted(client_of_tenant, tenant, identity):
    group = create(client_of_tenant, [SSH, WEB, PING])
    assert used(tenant) == (1, 3)
    url = detail(group["security_group_id"])
    call(client_of_tenant, "put", url, {"security_group_rule_sets": [DNS]})
    assert used(tenant) == (1, 1)
    call(client_of_tenant, "put", url, {"security_group_rule_sets": [SSH, WEB]})
    assert used(tenant) == (1, 2)
    call(client_of_tenant, "delete", url)
    assert used(tenant) == (0, 0)


def test_past_the_quota_is_409_before_anything_is_written(client_of_tenant, tenant, identity):
    limit(tenant, security_groups=1, security_group_rules=3)
    answer = create(client_of_tenant, [SSH, WEB, PING, DNS], expect=409)
    assert answer["error"]["code"] == "quota_exceeded"
    assert "security_group_rules" in answer["error"]["fields"]
    assert not SecurityGroup.objects.exists()
    assert not Task.objects.exists()
    group = create(client_of_tenant, [SSH])
    assert create(client_of_tenant, [], expect=409, name="db")["error"]["code"] == (
        "quota_exceeded"
    )
    body = {"security_group_rule_sets": [SSH, WEB, PING, DNS]}
    call(client_of_tenant, "put", detail(group["security_group_id"]), body, expect=409)
    assert used(tenant) == (1, 1)


def test_a_failed_create_or_update_gives_back_what_it_reserved(
    client_of_tenant, tenant, identity, cloud
):
    cloud.options = {"quotas": {"security_group_rules": 5}}  # default 2, new 2, 1 more
    cloud.save()
    assert create(client_of_tenant, [SSH, WEB])["status"] == "failed"
    assert used(tenant) == (0, 0)
    cloud.options = {}
    cloud.save()
    group = create(client_of_tenant, [SSH], name="ssh")
    cloud.options = {"quotas": {"security_group_rules": 4}}  # default 2, ssh 1, 1 more
    cloud.save()
    body = {"security_group_rule_sets": [SSH, WEB, PING]}
    answer = call(client_of_tenant, "put", detail(group["security_group_id"]), body)
    assert answer["task"]["state"] == "failed"
    assert used(tenant) == (1, 1)
