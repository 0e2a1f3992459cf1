import pytest

from portal.clouds.models import Cloud
from portal.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

NEW_CLOUD = {"name": "east", "kind": "simulator", "region": "east-1"}


def post_cloud(client, key, body=NEW_CLOUD):
    return client.post("/api/v1/clouds", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_returns_the_first_answer_and_creates_nothing(staff_client):
    first = post_cloud(staff_client, "k-1")
    retry = post_cloud(staff_client, "k-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Cloud.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(staff_client):
    post_cloud(staff_client, "k-2")
    response = post_cloud(staff_client, "k-2", {**NEW_CLOUD, "name": "west"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_a_request_still_running_gets_409(staff_client):
    post_cloud(staff_client, "k-3")
    IdempotencyRecord.objects.update(status_code=None)  # as if the first were still running
    response = post_cloud(staff_client, "k-3")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "request_in_progress"


def test_callers_do_not_share_keys(staff_client, platform_client):
    post_cloud(staff_client, "shared")
    response = post_cloud(platform_client, "shared", {**NEW_CLOUD, "name": "w", "region": "w"})
    assert response.status_code == 201
    assert Cloud.objects.count() == 2


def test_without_the_header_every_post_acts(staff_client):
    assert staff_client.post("/api/v1/clouds", NEW_CLOUD, format="json").status_code == 201
    assert staff_client.post("/api/v1/clouds", NEW_CLOUD, format="json").status_code == 409


def test_the_key_itself_is_not_stored_with_credentials(platform_client):
    post_cloud(platform_client, "k-4")
    record = IdempotencyRecord.objects.get()
    assert "Api-Key" not in record.caller
    assert len(record.caller) == 64


def test_an_overlong_key_is_a_400(staff_client):
    assert post_cloud(staff_client, "x" * 201).status_code == 400


@pytest.mark.urls("portal.core.tests.urls_for_errors")
def test_server_errors_are_not_replayed(staff_client):
    staff_client.raise_request_exception = False
    first = staff_client.post("/api/v1/crash", HTTP_IDEMPOTENCY_KEY="k-5")
    assert first.status_code == 500
    assert not IdempotencyRecord.objects.exists()


def test_the_remembered_answer_is_encrypted_at_rest(staff_client):
    post_cloud(staff_client, "k-6")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT response_body FROM core_idempotencyrecord")
        stored = cursor.fetchone()[0]
    assert "east-1" not in stored
    assert "east-1" in IdempotencyRecord.objects.get().response_body
