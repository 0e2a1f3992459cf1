"""The platform registers its endpoints (platform key or staff; tenants are refused), with a
write-only secret, and reads and re-sends deliveries."""

import pytest
from django.db import connection

from portal.core.tests.queries import count_queries
from portal.webhooks.models import Delivery, WebhookEndpoint
from portal.webhooks.tests.conftest import RECEIVER_PATH, end_a_task
from portal.webhooks.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

SECRET = "the-platform-chose-this-secret"
REGISTRATION = {"url": "https://platform.example.com/portal-events", "secret": SECRET}


def test_the_platform_registers_an_endpoint_and_never_sees_its_secret(platform_client):
    response = platform_client.post(
        "/api/v1/webhooks", {**REGISTRATION, "description": "prod"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["webhook_id"] == str(endpoint.pk)
    assert (body["url"], body["description"], body["enabled"]) == (
        REGISTRATION["url"],
        "prod",
        True,
    )
    assert body["created_by"] == "platform:platform"
    assert "secret" not in body
    assert endpoint.secret == SECRET
    for url in ("/api/v1/webhooks", f"/api/v1/webhooks/{endpoint.pk}"):
        assert SECRET not in platform_client.get(url).content.decode()


def test_the_secret_is_encrypted_at_rest(platform_client):
    platform_client.post("/api/v1/webhooks", REGISTRATION, format="json")

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint")
        (stored,) = cursor.fetchone()
    assert SECRET not in stored


def test_a_patch_without_secret_keeps_it_and_one_with_a_secret_replaces_it(platform_client):
    endpoint = WebhookEndpointFactory(secret=SECRET)
    url = f"/api/v1/webhooks/{endpoint.pk}"

    response = platform_client.patch(url, {"enabled": False}, format="json")
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.enabled) == (SECRET, False)

    response = platform_client.patch(url, {"secret": "a-rotated-secret-value"}, format="json")
    assert response.status_code == 200
    assert "a-rotated-secret-value" not in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret == "a-rotated-secret-value"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://platform.example.com/events"}, "url"),
        ({"url": "file:///etc/passwd"}, "url"),
        ({"url": "gopher://127.0.0.1:6379/_FLUSHALL"}, "url"),
        ({"secret": "too-short"}, "secret"),
        ({"secret": None}, "secret"),
    ],
)
def test_a_bad_registration_is_a_400_in_the_error_shape(platform_client, changes, field):
    registration = {**REGISTRATION, **changes}
    if changes.get("secret", "") is None:
        del registration["secret"]

    response = platform_client.post("/api/v1/webhooks", registration, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("invalid", [field])
    assert error["request_id"]
    assert not WebhookEndpoint.objects.exists()


def test_a_bad_change_is_a_400_and_changes_nothing(platform_client):
    endpoint = WebhookEndpointFactory(url="https://platform.example.com/a")

    response = platform_client.patch(
        f"/api/v1/webhooks/{endpoint.pk}", {"url": "file:///etc/passwd"}, format="json"
    )

    assert response.status_code == 400
    endpoint.refresh_from_db()
    assert endpoint.url == "https://platform.example.com/a"


def test_tenants_may_not_register_list_or_read_endpoints(client_of_tenant, anon_client):
    endpoint = WebhookEndpointFactory()
    delivery_url = "/api/v1/webhook-deliveries"
    for client, status in ((client_of_tenant, 403), (anon_client, 401)):
        assert client.post("/api/v1/webhooks", REGISTRATION, format="json").status_code == status
        assert client.get("/api/v1/webhooks").status_code == status
        assert client.get(f"/api/v1/webhooks/{endpoint.pk}").status_code == status
        assert client.delete(f"/api/v1/webhooks/{endpoint.pk}").status_code == status
        response = client.get(delivery_url)
        assert response.status_code == status
        assert "error" in response.json()
    assert WebhookEndpoint.objects.count() == 1


def test_staff_manage_endpoints_too_and_deleting_one_drops_its_deliveries(staff_client):
    endpoint = WebhookEndpointFactory()
    end_a_task()

    response = staff_client.delete(f"/api/v1/webhooks/{endpoint.pk}")

    assert response.status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert not Delivery.objects.exists()
    assert staff_client.get(f"/api/v1/webhooks/{endpoint.pk}").status_code == 404


def test_deliveries_are_listed_with_filters(platform_client):
    first, second = WebhookEndpointFactory(), WebhookEndpointFactory()
    task = end_a_task()
    Delivery.objects.filter(endpoint=first).update(state="failed")

    body = platform_client.get("/api/v1/webhook-deliveries", {"state": "failed"}).json()
    assert [(d["webhook_id"], d["task_id"]) for d in body["deliveries"]] == [
        (str(first.pk), str(task.pk))
    ]
    assert body["deliveries"][0]["payload"]["task"]["task_id"] == str(task.pk)
    by_endpoint = platform_client.get("/api/v1/webhook-deliveries", {"webhook_id": second.pk})
    assert by_endpoint.json()["count"] == 1
    bad = platform_client.get("/api/v1/webhook-deliveries", {"state": "lost"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid")


def test_a_resend_through_the_api_makes_one_more_attempt_now(
    platform_client, endpoint, receiver, run_commit_hooks
):
    receiver.expect_request(RECEIVER_PATH).respond_with_data("ok")
    end_a_task()
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(state="failed", next_attempt=None)
    receiver.clear_log()

    response = platform_client.post(f"/api/v1/webhook-deliveries/{delivery.pk}/resend")

    assert response.status_code == 202
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.attempts_allowed) == ("delivered", 2, 8)
    assert len(receiver.log) == 1


def test_a_resend_to_a_disabled_endpoint_is_a_409(platform_client):
    endpoint = WebhookEndpointFactory()
    end_a_task()
    endpoint.enabled = False
    endpoint.save()
    delivery = Delivery.objects.get()

    response = platform_client.post(f"/api/v1/webhook-deliveries/{delivery.pk}/resend")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "endpoint_disabled"


def test_the_lists_cost_the_same_queries_for_any_number_of_rows(platform_client):
    WebhookEndpointFactory.create_batch(2)
    end_a_task()
    few = [count_queries(platform_client, f"/api/v1/{path}") for path in PATHS]
    WebhookEndpointFactory.create_batch(4)
    for _ in range(3):
        end_a_task()
    many = [count_queries(platform_client, f"/api/v1/{path}") for path in PATHS]
    assert Delivery.objects.count() == 20
    assert few == many


PATHS = ["webhooks", "webhook-deliveries"]
