"""Security groups through the API, against the simulator: create with rules, read from
the mirror, update (the rule set replaced, the old rules kept on a failure), delete;
bad rule sets refused before anything is written; another tenant's group is a 404."""

import pytest

from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.core.errors import ValidationFailed
from portal.core.models import Task
from portal.network.models import SecurityGroup, SecurityGroupRule
from portal.network.services import Placement, check_placement
from portal.network.tests.factories import SecurityGroupFactory, SecurityGroupRuleFactory
from portal.network.tests.security_group_helpers import (
    DNS,
    LIST,
    PING,
    SSH,
    V6,
    WEB,
    call,
    cloud_rules,
    detail,
    rule_shape,
)  # fmt: skip
from portal.servers.tests.factories import make_identity
from portal.tenants.credentials import tenant_credentials

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


@pytest.fixture
def identity(tenant, cloud):
    return make_identity(tenant, cloud)


@pytest.fixture
def create(client_of_tenant, identity):
    def make(name="web", rules=(SSH, WEB, PING), **fields):
        body = {"security_group_name": name, "security_group_rule_sets": list(rules), **fields}
        return call(client_of_tenant, "post", LIST, body)

    return make


def shapes(rules):
    return {rule_shape(rule) for rule in rules}


def test_create_makes_the_group_with_exactly_its_rules(create, cloud, identity):
    answer = create(security_group_desc="front ends")
    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert (answer["status"], answer["security_group_desc"]) == ("ready", "front ends")
    assert shapes(answer["security_group_rules"]) == shapes([SSH, WEB, PING])
    # Neutron's default egress rules are replaced by the rule set.
    assert cloud_rules(cloud, identity, answer["cloud_security_group_id"]) == shapes(
        [SSH, WEB, PING]
    )
    rule = next(r for r in answer["security_group_rules"] if r["port_range_min"] == 22)
    assert rule["security_group_id"] == answer["security_group_id"]
    assert rule["rule_id"]
    assert rule["created_time"]
    assert rule["ethertype"] == "IPv4"


def test_rules_are_answered_as_neutron_holds_them(create):
    icmpv6 = {"direction": "ingress", "protocol": "icmpv6", "remote_ip_prefix": "fd00::/8"}
    every_port = {**SSH, "port_range_min": 1, "port_range_max": 65535}
    answer = create(rules=[icmpv6, every_port])
    shown = {(r["protocol"], r["port_range_min"]) for r in answer["security_group_rules"]}
    assert shown == {("ipv6-icmp", None), ("tcp", None)}


def test_a_single_port_and_an_ipv6_prefix(create):
    answer = create(rules=[DNS, V6])
    by_port = {rule["port_range_min"]: rule for rule in answer["security_group_rules"]}
    assert (by_port[53]["port_range_max"], by_port[53]["ethertype"]) == (53, "IPv4")
    assert (by_port[8080]["remote_ip_prefix"], by_port[8080]["ethertype"]) == (
        "2001:db8::/32", "IPv6",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({**SSH, "port_range_min": 443, "port_range_max": 80}, "port_range_max"),
        ({**SSH, "port_range_min": 0}, "port_range_min"),
        ({**SSH, "port_range_max": 70000}, "port_range_max"),
        ({**PING, "port_range_min": 8}, "port_range_min"),
        ({**SSH, "protocol": None, "port_range_min": 22}, "port_range_min"),
        ({**SSH, "remote_ip_prefix": "10.0.0.300/8"}, "remote_ip_prefix"),
        ({**SSH, "remote_ip_prefix": "nonsense"}, "remote_ip_prefix"),
        ({**SSH, "protocol": "gre"}, "protocol"),
        ({**SSH, "direction": "sideways"}, "direction"),
        ({**SSH, "ethertype": "IPv6"}, "remote_ip_prefix"),
        ({"direction": "ingress", "protocol": "icmpv6"}, "protocol"),
        ({**SSH, "ethertype": "IPX"}, "ethertype"),
    ],
)
def test_a_bad_rule_is_400_before_anything_is_written(client_of_tenant, identity, rule, field):
    body = {"security_group_name": "bad", "security_group_rule_sets": [WEB, rule]}
    answer = call(client_of_tenant, "post", LIST, body, expect=400)
    assert list(answer["error"]["fields"]) == [f"security_group_rule_sets[1].{field}"]
    assert not SecurityGroup.objects.exists()
    assert not Task.objects.exists()


def test_a_duplicate_rule_is_400(client_of_tenant, identity):
    twin = {**SSH, "rule_desc": "the same, described otherwise"}
    body = {"security_group_name": "dup", "security_group_rule_sets": [SSH, WEB, twin]}
    answer = call(client_of_tenant, "post", LIST, body, expect=400)
    assert list(answer["error"]["fields"]) == ["security_group_rule_sets[2]"]
    assert not SecurityGroup.objects.exists()


def test_a_prefix_of_every_address_is_the_same_rule_as_none(client_of_tenant, identity):
    body = {"security_group_name": "dup", "security_group_rule_sets": [
        WEB, {**WEB, "remote_ip_prefix": "0.0.0.0/0"},
    ]}  # fmt: skip
    answer = call(client_of_tenant, "post", LIST, body, expect=400)
    assert list(answer["error"]["fields"]) == ["security_group_rule_sets[1]"]


def test_a_duplicate_rule_of_an_update_is_400_and_changes_nothing(create, client_of_tenant):
    group = create()
    body = {"security_group_rule_sets": [DNS, DNS]}
    call(client_of_tenant, "put", detail(group["security_group_id"]), body, expect=400)
    row = SecurityGroup.objects.get(security_group_id=group["security_group_id"])
    assert row.status == "ready"
    assert row.current_task.kind == "security_group.create"


def test_names_are_unique_per_tenant_and_default_is_taken(create, client_of_tenant):
    create(name="web")
    body = {"security_group_name": "web"}
    assert call(client_of_tenant, "post", LIST, body, 409)["error"]["code"] == "name_taken"
    body = {"security_group_name": "default"}
    call(client_of_tenant, "post", LIST, body, 400)


def test_a_tenant_not_set_up_in_the_region_is_409(client_of_tenant, cloud):
    body = {"security_group_name": "web"}
    assert call(client_of_tenant, "post", LIST, body, 409)["error"]["code"] == "tenant_not_ready"


def test_get_and_list_show_the_mirror(create, client_of_tenant):
    made = create()
    shown = call(client_of_tenant, "get", detail(made["security_group_id"]), expect=200)
    assert shown == {**made, "task": shown["task"]}
    listed = call(client_of_tenant, "get", LIST, expect=200)
    assert listed["count"] == 1
    assert listed["security_groups"][0]["security_group_name"] == "web"
    found = call(client_of_tenant, "get", f"{LIST}?security_group_name=WE", expect=200)
    assert found["count"] == 1
    assert call(client_of_tenant, "get", f"{LIST}?security_group_name=db", expect=200)["count"] == 0


def test_the_list_costs_the_same_queries_for_any_number_of_groups(
    client_of_tenant, tenant, cloud, django_assert_max_num_queries
):
    for _number in range(12):
        group = SecurityGroupFactory(tenant=tenant, cloud=cloud)
        SecurityGroupRuleFactory.create_batch(3, group=group)
    with django_assert_max_num_queries(8):
        answer = call(client_of_tenant, "get", f"{LIST}?page_size=100", expect=200)
    assert answer["count"] == 12
    assert all(len(group["security_group_rules"]) == 3 for group in answer["security_groups"])


def test_rules_the_cloud_no_longer_has_are_not_shown(client_of_tenant, tenant, cloud):
    group = SecurityGroupFactory(tenant=tenant, cloud=cloud)
    SecurityGroupRuleFactory(group=group)
    SecurityGroupRuleFactory(group=group, port_range_min=80, port_range_max=80)
    SecurityGroupRule.objects.filter(port_range_min=80).update(missing_since="2026-01-01T00:00Z")
    shown = call(client_of_tenant, "get", detail(group.security_group_id), expect=200)
    assert [rule["port_range_min"] for rule in shown["security_group_rules"]] == [22]


def test_update_replaces_the_rule_set_and_the_name(create, client_of_tenant, cloud, identity):
    made = create()
    body = {
        "security_group_name": "front", "security_group_desc": "new",
        "security_group_rule_sets": [SSH, DNS],
    }  # fmt: skip
    answer = call(client_of_tenant, "put", detail(made["security_group_id"]), body)
    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert (answer["security_group_name"], answer["security_group_desc"]) == ("front", "new")
    assert shapes(answer["security_group_rules"]) == shapes([SSH, DNS])
    assert cloud_rules(cloud, identity, made["cloud_security_group_id"]) == shapes([SSH, DNS])
    kept = {r["rule_id"] for r in made["security_group_rules"] if r["port_range_min"] == 22}
    assert kept <= {rule["rule_id"] for rule in answer["security_group_rules"]}
    # The rules the update replaced are gone from the mirror, not kept as history.
    rows = SecurityGroupRule.objects.filter(group__security_group_id=made["security_group_id"])
    assert rows.count() == 2


def test_update_of_a_rule_description_makes_it_again(create, client_of_tenant, cloud, identity):
    made = create(rules=[SSH])
    body = {"security_group_rule_sets": [{**SSH, "rule_desc": "admins"}]}
    answer = call(client_of_tenant, "put", detail(made["security_group_id"]), body)
    assert [rule["rule_desc"] for rule in answer["security_group_rules"]] == ["admins"]
    assert cloud_rules(cloud, identity, made["cloud_security_group_id"]) == shapes(
        [{**SSH, "rule_desc": "admins"}]
    )


def test_update_without_a_rule_set_keeps_the_rules(create, client_of_tenant):
    made = create()
    answer = call(
        client_of_tenant, "put", detail(made["security_group_id"]), {"security_group_desc": "x"}
    )
    assert shapes(answer["security_group_rules"]) == shapes([SSH, WEB, PING])


def test_a_rule_refused_mid_update_leaves_the_old_rules(create, client_of_tenant, cloud, identity):
    made = create(rules=[SSH])
    # Neutron's rule quota lets the first new rule through and refuses the second.
    cloud.options = {"quotas": {"security_group_rules": 4}}  # default group: 2, this: 1
    cloud.save()
    body = {"security_group_name": "renamed", "security_group_rule_sets": [WEB, DNS, PING]}
    answer = call(client_of_tenant, "put", detail(made["security_group_id"]), body)
    task = answer["task"]
    assert (task["state"], task["error_code"]) == ("failed", "quota_exceeded")
    assert "rule 2" in task["message"]
    assert "keeps its former rules" in task["message"]
    assert shapes(answer["security_group_rules"]) == shapes([SSH])
    assert (answer["security_group_name"], answer["status"]) == ("web", "ready")
    assert cloud_rules(cloud, identity, made["cloud_security_group_id"]) == shapes([SSH])


def test_a_rule_refused_at_create_removes_the_group(client_of_tenant, identity, cloud):
    cloud.options = {"quotas": {"security_group_rules": 5}}  # default 2, new 2, 1 more
    cloud.save()
    body = {"security_group_name": "web", "security_group_rule_sets": [SSH, WEB]}
    answer = call(client_of_tenant, "post", LIST, body)
    assert answer["task"]["state"] == "failed"
    assert (answer["status"], answer["cloud_security_group_id"]) == ("failed", None)
    assert "rule 2" in answer["status_message"]
    driver_groups = cloud_groups(cloud, identity)
    assert driver_groups == ["default"]
    # The failed group's name is free again.
    cloud.options = {}
    cloud.save()
    assert call(client_of_tenant, "post", LIST, body)["status"] == "ready"


def cloud_groups(cloud, identity):
    driver = SimulatorDriver(cloud, tenant_credentials(identity))
    return sorted(group.name for group in driver.network.list_security_groups())


def test_delete_removes_the_group_and_its_rules(create, client_of_tenant, cloud, identity):
    made = create()
    answer = call(client_of_tenant, "delete", detail(made["security_group_id"]))
    assert answer["task"]["state"] == "succeeded"
    assert answer["deleted_time"]
    assert not SecurityGroup.objects.filter(security_group_id=made["security_group_id"]).exists()
    assert not SecurityGroupRule.objects.exists()
    assert cloud_groups(cloud, identity) == ["default"]
    call(client_of_tenant, "get", detail(made["security_group_id"]), expect=404)


def test_a_refused_delete_keeps_the_group(create, client_of_tenant, cloud):
    made = create()
    inject_fault(cloud, "network.delete_security_group", mode="conflict")
    answer = call(client_of_tenant, "delete", detail(made["security_group_id"]))
    assert (answer["task"]["state"], answer["deleted_time"]) == ("failed", None)
    shown = call(client_of_tenant, "get", detail(made["security_group_id"]), expect=200)
    assert shown["status"] == "ready"
    assert len(shown["security_group_rules"]) == 3


def test_one_operation_at_a_time(create, client_of_tenant):
    made = create()
    SecurityGroup.objects.update(status=SecurityGroup.Status.UPDATING)
    url = detail(made["security_group_id"])
    assert (
        call(client_of_tenant, "put", url, {"security_group_desc": "x"}, 409)["error"]["code"]
        == "invalid_state"
    )
    call(client_of_tenant, "delete", url, expect=409)


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("get", None),
        ("put", {"security_group_desc": "mine now"}),
        ("delete", None),
    ],
)
def test_another_tenants_group_is_404(create, client_of_other_tenant, method, body):
    made = create()
    call(client_of_other_tenant, method, detail(made["security_group_id"]), body, expect=404)
    assert call(client_of_other_tenant, "get", LIST, expect=200)["count"] == 0
    row = SecurityGroup.objects.get(security_group_id=made["security_group_id"])
    assert (row.status, row.description) == ("ready", "")


def test_a_tenant_creates_only_for_itself(client_of_tenant, identity, tenant, other_tenant):
    body = {"security_group_name": "web", "tenant_id": other_tenant.tenant_id}
    answer = call(client_of_tenant, "post", LIST, body)
    assert answer["tenant_id"] == tenant.tenant_id
    assert not SecurityGroup.objects.filter(tenant=other_tenant).exists()


def test_a_retried_create_with_its_idempotency_key_makes_one_group(client_of_tenant, identity):
    body = {"security_group_name": "web", "security_group_rule_sets": [SSH]}
    first = client_of_tenant.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client_of_tenant.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.json()["security_group_id"] == again.json()["security_group_id"]
    assert SecurityGroup.objects.count() == 1


def test_a_group_not_made_in_the_cloud_cannot_be_named_by_a_server(tenant, cloud, identity):
    SecurityGroupFactory(tenant=tenant, cloud=cloud, name="half", backend_id=None)
    placement = Placement("any-network", ("half",))
    with pytest.raises(ValidationFailed) as refused:
        check_placement(tenant, cloud, placement)
    assert "security_group_name" in refused.value.fields
