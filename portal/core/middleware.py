"""Request id, NUL byte and audit log middleware."""

import re
import uuid

from django.core.exceptions import BadRequest
from django.core.validators import ProhibitNullCharactersValidator
from django.http import Http404, JsonResponse

from portal.core.api.errors import error_body
from portal.core.logging import current_request_id

REQUEST_ID_HEADER = "X-Request-Id"
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
AUDITED_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
AUDITED_PREFIXES = ("/api/", "/admin/")


class RequestIdMiddleware:
    """Gives every request an id (the client's X-Request-Id when sane), for logs and errors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = offered if _CLIENT_REQUEST_ID.match(offered) else uuid.uuid4().hex
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


class NulByteMiddleware:
    """PostgreSQL cannot take a NUL byte in a string: a path holding one names nothing
    (404) and a query parameter holding one is refused (400 on that parameter) before
    any view looks them up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404
        refused = [
            name
            for name, values in request.GET.lists()
            if "\x00" in name or any("\x00" in value for value in values)
        ]
        if not refused:
            return self.get_response(request)
        if not request.path.startswith("/api/"):
            raise BadRequest
        message = str(ProhibitNullCharactersValidator.message)
        fields = {name.replace("\x00", ""): [message] for name in refused}
        return JsonResponse(error_body("invalid", message, fields), status=400)


class AuditMiddleware:
    """Records who changed (or tried to change) what through the API and the admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in AUDITED_METHODS and request.path.startswith(AUDITED_PREFIXES):
            from portal.core.services import record_audit_event

            record_audit_event(request, response.status_code)
        return response
