"""Security groups in the admin: the list with search and filters, the group's page, "Add"
and "Edit" with the rule editor's table (a bad rule shown on its row), deletion, and
attaching or detaching a group from the server page; each a Task through the services."""

import pytest
from django.urls import reverse

from portal.clouds.simulator.driver import SimulatorDriver
from portal.network.models import SecurityGroup
from portal.network.tests.factories import SecurityGroupFactory, SecurityGroupRuleFactory
from portal.network.tests.test_security_group_operate import make_server  # noqa: F401
from portal.servers.tests.factories import make_identity
from portal.tenants.credentials import tenant_credentials

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

LIST = "/admin/network/securitygroup/"


@pytest.fixture
def identity(tenant, cloud):
    return make_identity(tenant, cloud)


@pytest.fixture
def tenant_cloud(cloud, identity):
    return SimulatorDriver(cloud, tenant_credentials(identity))


def rule_rows(*rules, blank=3):
    """The rule editor's POST data: `rules` then `blank` empty rows (sent as nothing)."""
    data = {"rules-TOTAL_FORMS": len(rules) + blank, "rules-INITIAL_FORMS": 0}
    for index, rule in enumerate(rules):
        data.update({f"rules-{index}-{name}": value for name, value in rule.items()})
    return data


SSH = {
    "direction": "ingress", "protocol": "tcp", "port_range_min": 22,
    "remote_ip_prefix": "10.0.0.0/8",
}  # fmt: skip
WEB = {"direction": "ingress", "protocol": "tcp", "port_range_min": 80, "port_range_max": 443}


def add(admin_client, tenant, cloud, *rules, name="web"):
    data = {"tenant": tenant.pk, "cloud": cloud.pk, "name": name, "description": "d"}
    return admin_client.post(f"{LIST}add/", {**data, **rule_rows(*rules)})


def test_add_makes_the_group_with_the_rules_of_the_table(
    admin_client, tenant, cloud, identity, tenant_cloud
):
    answer = add(admin_client, tenant, cloud, SSH, WEB)
    group = SecurityGroup.objects.get(name="web")
    assert answer.status_code == 302
    assert answer.url == reverse("admin:network_securitygroup_change", args=[group.pk])
    assert group.status == "ready"
    in_cloud = tenant_cloud.network.get_security_group(group.backend_id).rules
    assert sorted((r.port_range_min, r.port_range_max) for r in in_cloud) == [(22, 22), (80, 443)]
    page = admin_client.get(answer.url)
    assert page.status_code == 200
    assert b"10.0.0.0/8" in page.content
    assert b"80-443" in page.content
    assert b"task-progress" in page.content


def test_a_bad_rule_is_shown_on_its_row_and_nothing_is_made(admin_client, tenant, cloud, identity):
    answer = add(admin_client, tenant, cloud, SSH, {**WEB, "port_range_max": 70})
    assert answer.status_code == 200
    rows = answer.context["formset"].forms
    assert rows[1].errors["port_range_max"]
    assert not rows[0].errors
    assert not SecurityGroup.objects.exists()


def test_edit_replaces_the_rules(admin_client, tenant, cloud, identity, tenant_cloud):
    add(admin_client, tenant, cloud, SSH, WEB)
    group = SecurityGroup.objects.get(name="web")
    edit = reverse("admin:network_securitygroup_edit", args=[group.pk])
    page = admin_client.get(edit)
    assert [form.initial["port_range_min"] for form in page.context["formset"].forms[:2]] == [
        22, 80,
    ]  # fmt: skip
    # Sent back as shown, the rules are kept; the first row removed, it goes.
    shown = {**rule_rows(SSH, WEB), "rules-INITIAL_FORMS": 2}
    admin_client.post(edit, {"name": "web", "description": "", **shown})
    assert len(tenant_cloud.network.get_security_group(group.backend_id).rules) == 2
    data = {"name": "front", "description": "", **shown, "rules-0-DELETE": "on"}
    answer = admin_client.post(edit, data)
    assert answer.status_code == 302
    group.refresh_from_db()
    assert group.name == "front"
    in_cloud = tenant_cloud.network.get_security_group(group.backend_id).rules
    assert [(r.port_range_min, r.port_range_max) for r in in_cloud] == [(80, 443)]


def test_the_list_searches_and_filters(admin_client, cloud, tenant):
    web = SecurityGroupFactory(cloud=cloud, tenant=tenant, name="web")
    SecurityGroupRuleFactory.create_batch(2, group=web)
    SecurityGroupFactory(cloud=cloud, name="db", status="failed")
    page = admin_client.get(LIST, {"q": "we"})
    assert [row.name for row in page.context["cl"].result_list] == ["web"]
    assert page.context["cl"].result_list[0].rules_present == 2
    page = admin_client.get(LIST, {"status__exact": "failed"})
    assert [row.name for row in page.context["cl"].result_list] == ["db"]


def test_delete_action(admin_client, tenant, cloud, identity, tenant_cloud):
    add(admin_client, tenant, cloud, SSH)
    group = SecurityGroup.objects.get(name="web")
    answer = admin_client.post(LIST, {"action": "delete_groups", "_selected_action": [group.pk]})
    assert answer.status_code == 302
    assert not SecurityGroup.objects.filter(pk=group.pk).exists()
    assert [g.name for g in tenant_cloud.network.list_security_groups()] == ["default"]


def test_attach_and_detach_from_the_server_page(
    admin_client,
    tenant,
    cloud,
    identity,
    tenant_cloud,
    make_server,  # noqa: F811
):
    add(admin_client, tenant, cloud, SSH)
    group = SecurityGroup.objects.get(name="web")
    server = make_server("one")
    page = admin_client.get(reverse("admin:servers_server_change", args=[server.pk]))
    assert "Attach a security group" in page.content.decode()

    attach = reverse("admin:servers_server_security_group", args=[server.pk, "attach"])
    assert list(admin_client.get(attach).context["form"].fields["group"].queryset) == [group]
    answer = admin_client.post(attach, {"group": group.pk})
    assert answer.status_code == 302
    server.refresh_from_db()
    assert server.security_group_names == ["default", "web"]
    page = admin_client.get(reverse("admin:servers_server_change", args=[server.pk]))
    assert f"?group={group.pk}" in page.content.decode()

    detach = reverse("admin:servers_server_security_group", args=[server.pk, "detach"])
    admin_client.post(detach, {"group": group.pk})
    assert tenant_cloud.compute.get_server(server.backend_id).security_groups == ["default"]


def test_the_group_page_edits_and_deletes(admin_client, tenant, cloud, identity, tenant_cloud):
    add(admin_client, tenant, cloud, SSH)
    group = SecurityGroup.objects.get(name="web")
    page = admin_client.get(reverse("admin:network_securitygroup_change", args=[group.pk]))
    assert reverse("admin:network_securitygroup_edit", args=[group.pk]) in page.content.decode()
    remove = reverse("admin:network_securitygroup_remove", args=[group.pk])
    assert admin_client.post(remove).url == reverse("admin:network_securitygroup_changelist")
    assert not SecurityGroup.objects.filter(pk=group.pk).exists()
    assert [g.name for g in tenant_cloud.network.list_security_groups()] == ["default"]
