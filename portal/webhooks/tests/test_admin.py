"""The admin: endpoints with a write-only secret; deliveries listed by state and endpoint,
failed ones re-sent."""

import pytest
from django.contrib.messages import get_messages

from portal.core.tests.queries import count_queries
from portal.webhooks.models import Delivery, WebhookEndpoint
from portal.webhooks.tests.conftest import RECEIVER_PATH, end_a_task
from portal.webhooks.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = "/admin/webhooks/webhookendpoint/"
DELIVERIES = "/admin/webhooks/delivery/"
SECRET = "typed-by-the-operator-0001"


def add_form(**changes):
    return {"url": "https://platform.example.com/events", "secret": SECRET, "enabled": "on",
            "description": "prod", **changes}  # fmt: skip


def test_an_operator_adds_an_endpoint_and_its_secret_is_never_shown(admin_client):
    response = admin_client.post(f"{ENDPOINTS}add/", add_form())

    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.secret, endpoint.created_by) == (SECRET, "staff:operator")
    page = admin_client.get(f"{ENDPOINTS}{endpoint.pk}/change/").content.decode()
    assert "https://platform.example.com/events" in page
    assert SECRET not in page


def test_a_blank_secret_keeps_the_stored_one(admin_client):
    endpoint = WebhookEndpointFactory(secret=SECRET)

    response = admin_client.post(
        f"{ENDPOINTS}{endpoint.pk}/change/", add_form(secret="", description="renamed")
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.description) == (SECRET, "renamed")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"secret": ""}, "secret"),
        ({"secret": "short"}, "secret"),
        ({"url": "ftp://platform.example.com/events"}, "url"),
        ({"url": "file:///etc/passwd"}, "url"),
    ],
)
def test_a_bad_endpoint_is_refused_by_the_form(admin_client, changes, field):
    response = admin_client.post(f"{ENDPOINTS}add/", add_form(**changes))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not WebhookEndpoint.objects.exists()


def test_deliveries_are_filtered_by_state_and_endpoint(admin_client):
    first, second = WebhookEndpointFactory(), WebhookEndpointFactory()
    end_a_task()
    Delivery.objects.filter(endpoint=first).update(state="failed", last_error="HTTP 500")

    failed = admin_client.get(DELIVERIES, {"state": "failed"}).context["cl"].result_list
    assert [d.endpoint for d in failed] == [first]
    of_second = admin_client.get(DELIVERIES, {"endpoint__id__exact": second.pk})
    assert [d.endpoint for d in of_second.context["cl"].result_list] == [second]
    page = admin_client.get(f"{DELIVERIES}{failed[0].pk}/change/").content.decode()
    assert "task.succeeded" in page
    assert first.secret not in page


def test_the_delivery_list_costs_the_same_queries_for_more_rows(admin_client):
    WebhookEndpointFactory.create_batch(2)
    end_a_task()
    few = count_queries(admin_client, DELIVERIES)
    for _ in range(5):
        end_a_task()
    assert count_queries(admin_client, DELIVERIES) == few


def resend(admin_client, *deliveries):
    return admin_client.post(
        DELIVERIES,
        {"action": "resend", "_selected_action": [d.pk for d in deliveries]},
        follow=True,
    )


def test_re_sending_a_failed_delivery_makes_one_more_attempt_now(
    admin_client, endpoint, receiver, run_commit_hooks
):
    receiver.expect_ordered_request(RECEIVER_PATH).respond_with_data("down", status=500)
    receiver.expect_ordered_request(RECEIVER_PATH).respond_with_data("ok")
    end_a_task()
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(state="failed", next_attempt=None)

    response = resend(admin_client, delivery)

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "1 delivery queued to be sent again."
    ]


def test_a_delivery_to_a_disabled_endpoint_is_not_re_sent(admin_client):
    endpoint = WebhookEndpointFactory(description="paused")
    end_a_task()
    endpoint.enabled = False
    endpoint.save()
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(state="failed")

    response = resend(admin_client, delivery)

    delivery.refresh_from_db()
    assert delivery.state == "failed"
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "disabled" in message
