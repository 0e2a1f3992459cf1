"""The platform's webhooks, worker side: one signed POST of a delivery per attempt, its
outcome recorded, and the next attempt's time (exponential backoff).

Receivers verify `X-Portal-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
with their secret (README, "Webhooks"). Each attempt signs anew, so `t` is the time of
the attempt and a receiver can refuse replays of old ones.
"""

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from portal.webhooks.models import Delivery

logger = logging.getLogger(__name__)

BACKOFF_FACTOR = 3  # with 60 s and 8 attempts: 1, 3, 9, 27 min, 1.35, 4, 12 h (~18 h)
# A Celery countdown may fire a little before the time it was computed for.
EARLY_FIRE_SLACK = timedelta(seconds=1)
USER_AGENT = "portal-webhooks/1"


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def encoded_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def backoff_seconds(attempts_made: int) -> float:
    """How long to wait after the `attempts_made`-th attempt failed."""
    return settings.WEBHOOK_RETRY_BASE_SECONDS * BACKOFF_FACTOR ** (attempts_made - 1)


def lease_seconds() -> float:
    """How long an attempt holds its delivery: past it, the sweep may take it again."""
    return 2 * settings.WEBHOOK_TIMEOUT + 30


def attempt_delivery(delivery_id) -> float | None:
    """Make one attempt if `delivery_id` is pending and due; returns the seconds to wait
    before the next one, or None when there is none to schedule (delivered, failed for
    good, or not due: another job holds it or it was attempted already)."""
    now = timezone.now()
    # A conditional UPDATE claims it: of two jobs for one delivery (a retry and the
    # sweep's), one sends and the other finds it not due.
    claimed = Delivery.objects.filter(
        pk=delivery_id,
        state=Delivery.State.PENDING,
        next_attempt__lte=now + EARLY_FIRE_SLACK,
        endpoint__enabled=True,
    ).update(
        next_attempt=now + timedelta(seconds=lease_seconds()),
        attempts=F("attempts") + 1,
        last_attempt=now,
    )
    if not claimed:
        return None
    # The secret is read (decrypted) inside the attempt, where a failure is recorded.
    deliveries = Delivery.objects.select_related("endpoint").defer("endpoint__secret")
    delivery = deliveries.get(pk=delivery_id)
    try:
        status_code, error = _post(delivery)
    except Exception:
        # A failed attempt like any other (a secret the keys cannot decrypt...), so the
        # delivery still ends `failed` rather than being swept up forever.
        logger.exception("webhook delivery %s could not be attempted", delivery.pk)
        status_code, error = None, "internal_error"
    return _record(delivery, status_code, error)


def _post(delivery) -> tuple[int | None, str]:
    """(status code or None, error) of one POST. The error names what went wrong, never
    the URL (it may carry credentials) or the secret."""
    endpoint = delivery.endpoint
    body = encoded_body(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Portal-Event": delivery.event,
        "X-Portal-Delivery": delivery.delivery_id,
        "X-Portal-Signature": signature_header(endpoint.secret, body, int(time.time())),
    }
    timeout = settings.WEBHOOK_TIMEOUT
    try:
        # No redirects: the registered URL is the only place the body goes. Streamed and
        # closed unread: only the status matters, however big the answer.
        with requests.post(
            endpoint.url, data=body, headers=headers, timeout=(timeout, timeout),
            allow_redirects=False, stream=True,
        ) as response:  # fmt: skip
            status_code = response.status_code
    except requests.RequestException as exc:
        return None, type(exc).__name__
    return status_code, "" if 200 <= status_code < 300 else f"HTTP {status_code}"


def _record(delivery, status_code, error) -> float | None:
    now = timezone.now()
    delivery.last_status_code = status_code
    delivery.last_error = error
    wait = None
    if not error:
        delivery.state, delivery.delivered = delivery.State.DELIVERED, now
        delivery.next_attempt = None
    elif delivery.attempts >= delivery.attempts_allowed:
        delivery.state, delivery.next_attempt = delivery.State.FAILED, None
    else:
        wait = backoff_seconds(delivery.attempts)
        delivery.next_attempt = now + timedelta(seconds=wait)
    delivery.save(
        update_fields=["state", "delivered", "next_attempt", "last_status_code", "last_error"]
    )
    log = logger.info if not error else logger.warning
    log(
        "webhook delivery %s (%s, endpoint %s) attempt %d: %s",
        delivery.pk, delivery.event, delivery.endpoint_id, delivery.attempts,
        error or status_code,
    )  # fmt: skip
    return wait


def overdue_deliveries(now=None, limit=500) -> list[str]:
    """Pending deliveries of enabled endpoints whose time passed a while ago (a lost job
    or a worker that died mid-attempt): the sweep queues them again."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.WEBHOOK_SWEEP_GRACE_SECONDS)
    overdue = Delivery.objects.filter(
        state=Delivery.State.PENDING, next_attempt__lt=now - grace, endpoint__enabled=True
    ).order_by("next_attempt")
    return [str(pk) for pk in overdue.values_list("pk", flat=True)[:limit]]
