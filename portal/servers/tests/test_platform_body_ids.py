"""The platform's permission callback hears about the resources a request body names
(image, flavor, network, security groups, key pair, ISO), with the instance in the URL, in
one question; a denial is the same 403 as for an id in the URL, and changes nothing."""

import pytest
from django.urls import reverse

from conftest import PLATFORM_AUTHZ_PATH, platform_questions
from portal.core.models import Task
from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory
from portal.servers.tests.test_instances import LIST, detail
from portal.tenants.tests.conftest import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


def answer(platform, allowed):
    platform.expect_request(PLATFORM_AUTHZ_PATH, method="POST").respond_with_json(
        {"allowed": allowed}
    )


@pytest.fixture
def server(tenant, cloud):
    return ServerFactory(tenant=tenant, cloud=cloud)


def test_create_asks_about_every_resource_it_names(
    identity, client_of_tenant, create_body, catalog, platform
):
    answer(platform, True)
    body = create_body(security_group_name=["default"])

    created = client_of_tenant.post(LIST, body, format="json")

    assert created.status_code == 202, created.content
    (question,) = platform_questions(platform)
    assert question["action"] == "create"
    assert question["resource_ids"] == sorted(
        [body["image_ref"], body["flavor_ref"], body["network_uuid"], "default"]
    )


def test_a_denied_resource_in_a_create_is_403_and_creates_nothing(
    identity, client_of_tenant, create_body, platform
):
    answer(platform, False)
    body = create_body(security_group_name=["web", "db"], key_name="deploy-key")

    refused = client_of_tenant.post(LIST, body, format="json")

    assert_error(refused, 403, "platform_denied")
    (question,) = platform_questions(platform)
    assert {"web", "db", "deploy-key", body["image_ref"]} <= set(question["resource_ids"])
    assert not Server.objects.exists()
    assert not Task.objects.exists()


def test_resize_asks_about_the_instance_and_the_flavor_in_one_question(
    server, client_of_tenant, platform
):
    answer(platform, False)

    refused = client_of_tenant.post(
        detail(server.instance_id, "change-flavor"), {"flavor_ref": "m1.huge"}, format="json"
    )

    assert_error(refused, 403, "platform_denied")
    (question,) = platform_questions(platform)
    assert question["resource_ids"] == sorted([server.instance_id, "m1.huge"])
    assert question["action"] == "change_flavor"
    server.refresh_from_db()
    assert server.current_task is None


def test_mount_asks_about_the_instance_and_the_iso_in_one_question(
    server, client_of_tenant, platform
):
    answer(platform, False)

    refused = client_of_tenant.post(
        reverse("api:instance-cdrom", args=[server.instance_id]), {"iso_id": "iso-1"}, format="json"
    )

    assert_error(refused, 403, "platform_denied")
    (question,) = platform_questions(platform)
    assert question["resource_ids"] == sorted([server.instance_id, "iso-1"])
    assert question["action"] == "mount"


def test_a_body_denial_answers_as_a_path_denial(server, client_of_tenant, platform):
    answer(platform, False)

    by_path = client_of_tenant.get(detail(server.instance_id))
    by_body = client_of_tenant.post(
        detail(server.instance_id, "change-flavor"), {"flavor_ref": "m1.huge"}, format="json"
    )

    assert by_body.status_code == by_path.status_code == 403
    assert by_body.json()["error"]["code"] == by_path.json()["error"]["code"]
    assert by_body.json()["error"]["message"] == by_path.json()["error"]["message"]


def test_another_tenants_instance_is_404_whatever_the_body_names(
    server, client_of_other_tenant, platform
):
    answer(platform, True)

    missing = client_of_other_tenant.post(
        detail(server.instance_id, "change-flavor"), {"flavor_ref": "m1.huge"}, format="json"
    )

    assert_error(missing, 404)
    assert platform.log == []
