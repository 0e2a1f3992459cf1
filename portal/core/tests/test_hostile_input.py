"""Input a client can send but the database or Python cannot take: a clear 4xx in the
error shape of design/api.md, never a 500, and nothing changed."""

import re
from datetime import timedelta, timezone

import pytest
from drf_spectacular.generators import SchemaGenerator

from portal.core.models import Task
from portal.core.tests.factories import TaskFactory
from portal.servers.models import Server

pytestmark = pytest.mark.django_db

NUL = "ab\x00c"
NUL_QUOTED = "ab%00c"


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["request_id"] == response["X-Request-Id"]
    return error


# ---- time filters --------------------------------------------------------------------


@pytest.mark.parametrize("list_path", ["/api/v1/tasks", "/api/v1/instances"])
@pytest.mark.parametrize("offset", ["+16:00", "-16:00", "+23:59"])
def test_created_filters_take_any_offset_as_utc(cloud, staff_client, list_path, offset):
    TaskFactory()
    for name in ("created_after", "created_before"):
        response = staff_client.get(list_path, {name: f"2026-01-01T00:00:00{offset}"})
        assert response.status_code == 200, response.content


def test_created_filter_offsets_compare_in_utc(staff_client):
    task = TaskFactory()
    same_instant = task.created.astimezone(timezone(timedelta(hours=16)))

    def created_after(moment):
        listed = staff_client.get("/api/v1/tasks", {"created_after": moment.isoformat()})
        return [found["task_id"] for found in listed.json()["tasks"]]

    assert created_after(same_instant) == [task.task_id]
    assert created_after(same_instant + timedelta(seconds=1)) == []


@pytest.mark.parametrize("list_path", ["/api/v1/tasks", "/api/v1/instances"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_created_filter_out_of_range_in_utc_is_a_400_on_the_field(
    cloud, staff_client, list_path, value
):
    error = assert_error(staff_client.get(list_path, {"created_after": value}), 400, "invalid")
    assert list(error["fields"]) == ["created_after"]


# ---- NUL bytes -----------------------------------------------------------------------


def detail_routes():
    """Every path of the API (its OpenAPI schema) that takes an id (or a name)."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return sorted(re.sub(r"\{[^}]+\}", NUL_QUOTED, path) for path in paths if "{" in path)


def test_every_detail_route_is_listed():
    routes = detail_routes()
    for expected in ("instances", "images", "isos", "tasks", "keypairs", "flavors", "usage"):
        assert any(expected in route for route in routes), expected
    assert all("%00" in route for route in routes)


@pytest.mark.parametrize("route", detail_routes())
@pytest.mark.parametrize("method", ["get", "put", "patch", "post", "delete"])
def test_a_nul_byte_in_a_path_is_not_found(cloud, staff_client, route, method):
    response = getattr(staff_client, method)(route, {}, format="json")
    assert_error(response, 404, "not_found")


def test_a_nul_byte_in_a_tenants_path_is_not_found(cloud, client_of_tenant):
    assert_error(client_of_tenant.get(f"/api/v1/instances/{NUL}"), 404, "not_found")


@pytest.mark.parametrize("list_path", ["/api/v1/instances", "/api/v1/tasks", "/api/v1/images"])
def test_a_nul_byte_in_a_query_parameter_is_a_400_on_it(cloud, staff_client, list_path):
    error = assert_error(staff_client.get(f"{list_path}?name=ab%00c&page_size=5"), 400, "invalid")
    assert list(error["fields"]) == ["name"]


# ---- JSON bodies ---------------------------------------------------------------------


def test_json_nested_too_deep_is_a_parse_error(cloud, staff_client):
    body = "[" * 5000 + "]" * 5000
    response = staff_client.post("/api/v1/instances", body, content_type="application/json")
    assert_error(response, 400, "malformed")
    assert not Server.objects.exists()


@pytest.mark.parametrize("idempotency_key", [None, "retry-1"])
def test_json_body_over_the_limit_is_a_413(cloud, staff_client, settings, idempotency_key):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    body = '{"instance_name": "%s"}' % ("x" * 2000)
    response = staff_client.post(
        "/api/v1/instances", body, content_type="application/json", **headers
    )
    assert_error(response, 413, "too_large")
    assert not Server.objects.exists()
    assert not Task.objects.exists()


@pytest.mark.parametrize("idempotency_key", [None, "retry-1"])
def test_form_body_over_the_limit_is_a_413(cloud, staff_client, settings, idempotency_key):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    response = staff_client.post(
        "/api/v1/instances",
        "instance_name=" + "x" * 2000,
        content_type="application/x-www-form-urlencoded",
        **headers,
    )
    assert_error(response, 413, "too_large")
