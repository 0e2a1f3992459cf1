"""Request id and audit log middleware."""

import re
import uuid

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
