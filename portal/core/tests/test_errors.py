"""Every API error has the shape of design/api.md and carries the request id."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("portal.core.tests.urls_for_errors")]


def assert_error(response, status, code):
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["request_id"] == response["X-Request-Id"]
    return error


def test_validation_errors_list_the_fields(staff_client):
    error = assert_error(
        staff_client.post("/api/v1/validate", {"name": "too long", "size": 0}, format="json"),
        400,
        "invalid",
    )
    assert set(error["fields"]) == {"name", "size"}


def test_object_level_validation_error_becomes_the_message(staff_client):
    error = assert_error(
        staff_client.post("/api/v1/validate", {"name": "both", "size": 1}, format="json"),
        400,
        "invalid",
    )
    assert error["message"] == "name and size disagree"


def test_malformed_json_is_a_400(staff_client):
    response = staff_client.post("/api/v1/validate", "{not json", content_type="application/json")
    assert_error(response, 400, "malformed")


def test_portal_errors_keep_their_status_and_code(staff_client):
    error = assert_error(staff_client.post("/api/v1/impossible"), 422, "image_disabled")
    assert error["message"] == "The image is disabled."


def test_unhandled_exception_is_a_500_without_details(staff_client, caplog):
    error = assert_error(staff_client.get("/api/v1/crash"), 500, "internal_error")
    assert "hunter2" not in error["message"]
    assert "hunter2" in caplog.text  # the operator finds it in the log by request id


def test_unknown_api_url_is_a_json_404(staff_client):
    assert_error(staff_client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_a_sane_client_request_id_is_kept(staff_client):
    response = staff_client.get("/api/v1/no-such-thing", HTTP_X_REQUEST_ID="client-abc-123")
    assert response["X-Request-Id"] == "client-abc-123"
    assert response.json()["error"]["request_id"] == "client-abc-123"


def test_an_unsafe_client_request_id_is_replaced(staff_client):
    response = staff_client.get("/api/v1/no-such-thing", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-Id"] != "<script>"
    assert len(response["X-Request-Id"]) == 32


def test_successful_responses_carry_a_request_id_too(staff_client):
    assert len(staff_client.get("/api/v1/tasks")["X-Request-Id"]) == 32
