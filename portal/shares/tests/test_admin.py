"""NAS shares in the admin: the list and a share's page with its live progress, the create
form and the forms of a share's operations, which go through the request side."""

import pytest
from django.urls import reverse

from portal.servers.tests.factories import ServerFactory
from portal.shares.models import Share

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


@pytest.fixture
def share(identity, admin_client, demo, tenant, cloud):
    answer = admin_client.post(
        reverse("admin:shares_share_create"),
        {
            "tenant": tenant.pk,
            "cloud": cloud.pk,
            "share_name": "files",
            "share_desc": "",
            "share_proto": "CIFS",
            "share_size_in_g": 3,
            "network_id": demo["network_id"],
        },
    )
    assert answer.status_code == 302, answer.content
    return Share.objects.get(name="files")


def test_create_from_the_admin_leads_to_the_shares_page(share, admin_client):
    assert share.status == Share.Status.READY
    page = admin_client.get(reverse("admin:shares_share_change", args=[share.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'class="task-progress"' in body
    for export in share.export_locations:
        assert export in body
    assert reverse("admin:shares_share_allow", args=[share.pk]) in body


def test_the_list_shows_the_share_with_its_progress(share, admin_client):
    page = admin_client.get(reverse("admin:shares_share_changelist"))
    assert page.status_code == 200
    assert "files" in page.content.decode()
    assert 'class="task-progress"' in page.content.decode()


def test_the_list_and_forms_in_chinese(share, admin_client):
    page = admin_client.get(
        reverse("admin:shares_share_create"), headers={"accept-language": "zh-hans"}
    )
    assert page.status_code == 200


def test_allow_grant_resize_and_deny_forms(share, admin_client, cloud):
    allow = reverse("admin:shares_share_allow", args=[share.pk])
    assert admin_client.get(allow).status_code == 200
    answer = admin_client.post(allow, {"access_to": "10.0.0.0/24", "access_level": "ro"})
    assert answer.status_code == 302
    share.refresh_from_db()
    assert [rule["access_to"] for rule in share.access_rules] == ["10.0.0.0/24"]

    server = ServerFactory(
        tenant=share.tenant, cloud=cloud, addresses={"default-net": ["10.0.0.9"]}
    )
    grant = reverse("admin:shares_share_grant", args=[share.pk])
    answer = admin_client.post(grant, {"server": server.pk, "access_level": "rw"})
    assert answer.status_code == 302
    share.refresh_from_db()
    assert {rule["access_to"] for rule in share.access_rules} == {"10.0.0.0/24", "10.0.0.9"}

    resize = reverse("admin:shares_share_resize", args=[share.pk])
    assert admin_client.post(resize, {"share_size_in_g": 7}).status_code == 302
    share.refresh_from_db()
    assert share.size == 7

    deny = reverse("admin:shares_share_deny", args=[share.pk])
    rule_id = share.access_rules[0]["id"]
    assert admin_client.post(deny, {"rule_id": rule_id}).status_code == 302
    share.refresh_from_db()
    assert len(share.access_rules) == 1


def test_a_refused_form_shows_why(share, admin_client):
    resize = reverse("admin:shares_share_resize", args=[share.pk])
    answer = admin_client.post(resize, {"share_size_in_g": share.size})
    assert answer.status_code == 200
    assert "errorlist" in answer.content.decode()


def test_delete_action(share, admin_client, cloud):
    answer = admin_client.post(
        reverse("admin:shares_share_changelist"),
        {"action": "delete_shares", "_selected_action": [share.pk]},
    )
    assert answer.status_code == 302
    share.refresh_from_db()
    assert share.status == Share.Status.DELETED
