"""The platform's permission callback, against a real HTTP server on loopback."""

import socket
import threading
import time

import pytest
from werkzeug import Response

from conftest import PLATFORM_AUTHZ_PATH, platform_questions
from portal.core.errors import PermissionDenied, ServiceUnavailable
from portal.core.models import Task
from portal.core.principals import ACTOR_PLATFORM, ACTOR_TENANT, ApiPrincipal
from portal.tenants.authz import check_resource_access
from portal.tenants.tests.conftest import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def answer(platform, allowed):
    platform.expect_request(PLATFORM_AUTHZ_PATH, method="POST").respond_with_json(
        {"allowed": allowed}
    )


def principal_of(tenant, user="user-1"):
    return ApiPrincipal(
        kind=ACTOR_TENANT, key_name="k", key_prefix="p", tenant=tenant, platform_user_id=user
    )


# ---- the service --------------------------------------------------------------------------


def test_allowed_sends_the_question(platform, tenant):
    answer(platform, True)

    check_resource_access(principal_of(tenant), ["vm-2", "vm-1", "vm-2"], "instance.stop")

    assert platform_questions(platform) == [
        {
            "tenant_id": tenant.tenant_id,
            "platform_userid": "user-1",
            "resource_ids": ["vm-1", "vm-2"],
            "action": "instance.stop",
        }
    ]


def test_denied_is_403(platform, tenant):
    answer(platform, False)

    with pytest.raises(PermissionDenied) as raised:
        check_resource_access(principal_of(tenant), ["vm-1"], "instance.stop")

    assert raised.value.status == 403


def test_answers_are_cached_per_question(platform, tenant):
    answer(platform, False)
    principal = principal_of(tenant)

    for _attempt in range(2):
        with pytest.raises(PermissionDenied):
            check_resource_access(principal, ["vm-1", "vm-2"], "instance.stop")
    with pytest.raises(PermissionDenied):  # same ids, another order: the same question
        check_resource_access(principal, ["vm-2", "vm-1"], "instance.stop")
    assert len(platform.log) == 1

    with pytest.raises(PermissionDenied):  # another action: asked again
        check_resource_access(principal, ["vm-1", "vm-2"], "instance.start")
    with pytest.raises(PermissionDenied):  # another user: asked again
        check_resource_access(principal_of(tenant, "user-2"), ["vm-1", "vm-2"], "instance.stop")
    assert len(platform.log) == 3


def test_a_server_error_is_503_and_not_cached(platform, tenant, caplog):
    platform.expect_request(PLATFORM_AUTHZ_PATH).respond_with_data("oops", status=500)

    for _attempt in range(2):
        with pytest.raises(ServiceUnavailable) as raised:
            check_resource_access(principal_of(tenant), ["vm-1"], "instance.stop")

    assert raised.value.status == 503
    assert len(platform.log) == 2
    assert "platform authorization failed (request" in caplog.text


@pytest.mark.parametrize(
    "body", ["not json", "[]", '{"allowed": "yes"}', '{"permitted": true}', ""]
)
def test_a_bad_answer_is_503(platform, tenant, body):
    platform.expect_request(PLATFORM_AUTHZ_PATH).respond_with_data(
        body, content_type="application/json"
    )

    with pytest.raises(ServiceUnavailable):
        check_resource_access(principal_of(tenant), ["vm-1"], "instance.stop")


def test_an_unreachable_platform_is_503(settings, tenant):
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.PLATFORM_AUTHZ_URL = f"http://127.0.0.1:{port}/authz"

    with pytest.raises(ServiceUnavailable):
        check_resource_access(principal_of(tenant), ["vm-1"], "instance.stop")


def test_a_slow_platform_is_503_within_the_timeout(platform, tenant):
    done = threading.Event()

    def slow(request):
        time.sleep(1.5)
        done.set()
        return Response('{"allowed": true}', content_type="application/json")

    platform.expect_request(PLATFORM_AUTHZ_PATH).respond_with_handler(slow)

    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        check_resource_access(principal_of(tenant), ["vm-1"], "instance.stop")

    assert time.monotonic() - started < 1.2
    done.wait(5)  # the server answers one request at a time: let it finish this one


def test_off_without_a_url(platform, settings, tenant):
    answer(platform, False)  # would refuse, were it asked
    settings.PLATFORM_AUTHZ_URL = ""

    assert check_resource_access(principal_of(tenant), ["vm-1"], "instance.stop") is None
    assert platform.log == []


def test_nothing_is_asked_without_ids_or_for_operators(platform, tenant):
    check_resource_access(principal_of(tenant), [], "instance.list")
    check_resource_access(ApiPrincipal(ACTOR_PLATFORM, "k", "p"), ["vm-1"], "x")

    assert platform.log == []


# ---- the permission class, in a view ------------------------------------------------------


@pytest.fixture
def tasks(tenant, other_tenant):
    return Task.objects.create(kind="t", tenant=tenant), Task.objects.create(
        kind="t", tenant=other_tenant
    )


def url_of(task):
    return f"/checked-tasks/{task.pk}"


@pytest.mark.urls("portal.tenants.tests.authz_urls")
def test_the_view_asks_about_the_object_it_names(platform, tasks, client_of_tenant):
    answer(platform, True)
    own, _others = tasks

    assert client_of_tenant.get(url_of(own)).status_code == 200

    (question,) = platform_questions(platform)
    assert question["resource_ids"] == [str(own.pk)]
    assert question["action"] == "task.read"


@pytest.mark.urls("portal.tenants.tests.authz_urls")
def test_the_view_is_403_when_denied(platform, tasks, client_of_tenant):
    answer(platform, False)

    assert_error(client_of_tenant.get(url_of(tasks[0])), 403, "platform_denied")


@pytest.mark.urls("portal.tenants.tests.authz_urls")
def test_the_view_is_503_when_the_platform_fails(platform, tasks, client_of_tenant):
    platform.expect_request(PLATFORM_AUTHZ_PATH).respond_with_data("", status=502)

    assert_error(client_of_tenant.get(url_of(tasks[0])), 503, "authz_unavailable")


@pytest.mark.urls("portal.tenants.tests.authz_urls")
def test_another_tenants_object_is_404_without_asking(platform, tasks, client_of_tenant):
    answer(platform, False)

    assert_error(client_of_tenant.get(url_of(tasks[1])), 404)
    assert platform.log == []


@pytest.mark.urls("portal.tenants.tests.authz_urls")
def test_operators_are_not_checked(platform, tasks, staff_client, platform_client):
    answer(platform, False)

    for client in (staff_client, platform_client):
        assert client.get(url_of(tasks[1])).status_code == 200
    assert platform.log == []
