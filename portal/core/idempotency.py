"""`Idempotency-Key` on API POSTs (design/api.md): a retry returns the first answer.

The record is claimed before the view runs (a unique row per caller and key), so two
concurrent requests with one key cannot both act: the second gets 409 until the first
has answered. Answers of 5xx are not kept, so a retry after a crash runs again.
"""

import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.api.errors import error_body
from portal.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
KEEP_FOR = timedelta(hours=24)


def _digest(*parts):
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _caller(request):
    """Who is asking, as a hash: the API credentials, or the signed-in user."""
    credentials = request.headers.get("Authorization", "")
    if credentials:
        return _digest(credentials, request.headers.get("X-Tenant-Id", ""))
    user = getattr(request, "user", None)
    return _digest("user", str(getattr(user, "pk", "")))


def _request_hash(request):
    return hashlib.sha256(
        request.method.encode() + request.path.encode() + request.body
    ).hexdigest()


def _error(status, code, message):
    return JsonResponse(error_body(code, message), status=status)


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH:
            return _error(400, "invalid", _("The Idempotency-Key header is too long."))
        record, replay = self._claim(request, key)
        if replay is not None:
            return replay
        response = self.get_response(request)
        self._remember(record, response)
        return response

    def _claim(self, request, key):
        caller, request_hash = _caller(request), _request_hash(request)
        IdempotencyRecord.objects.filter(created__lt=timezone.now() - KEEP_FOR).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    caller=caller, key=key, request_hash=request_hash
                )
            return record, None
        except IntegrityError:
            pass
        earlier = IdempotencyRecord.objects.get(caller=caller, key=key)
        if earlier.request_hash != request_hash:
            return None, _error(
                422,
                "idempotency_key_reused",
                _("This Idempotency-Key was used for a different request."),
            )
        if earlier.status_code is None:
            return None, _error(
                409, "request_in_progress", _("A request with this Idempotency-Key is running.")
            )
        replay = HttpResponse(
            earlier.response_body or "",
            status=earlier.status_code,
            content_type=earlier.content_type or "application/json",
        )
        replay["Idempotent-Replayed"] = "true"
        return None, replay

    def _remember(self, record, response):
        if response.status_code >= 500 or getattr(response, "streaming", False):
            record.delete()  # let a retry run again
            return
        record.status_code = response.status_code
        record.response_body = response.content.decode("utf-8", errors="replace")
        record.content_type = response.get("Content-Type", "")
        record.save(update_fields=["status_code", "response_body", "content_type"])
