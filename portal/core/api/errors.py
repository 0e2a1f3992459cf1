"""Every API error in one shape: {"error": {code, message, fields, request_id}}."""

import logging
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

from portal.core.errors import PayloadTooLarge, PortalError
from portal.core.logging import current_request_id

logger = logging.getLogger(__name__)

# DRF's own exceptions, mapped to the portal's codes.
_DRF_CODES = {
    drf_exceptions.ValidationError: "invalid",
    drf_exceptions.ParseError: "malformed",
    drf_exceptions.NotAuthenticated: "not_authenticated",
    drf_exceptions.AuthenticationFailed: "not_authenticated",
    drf_exceptions.PermissionDenied: "permission_denied",
    drf_exceptions.NotFound: "not_found",
    drf_exceptions.MethodNotAllowed: "method_not_allowed",
    drf_exceptions.NotAcceptable: "not_acceptable",
    drf_exceptions.UnsupportedMediaType: "unsupported_media_type",
    drf_exceptions.Throttled: "throttled",
}


def error_body(code, message, fields=None):
    return {
        "error": {
            "code": code,
            "message": str(message),
            "fields": fields or {},
            "request_id": current_request_id.get(),
        }
    }


def _drf_error(exc):
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "bad_request")
    if isinstance(exc, drf_exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = {key: [str(m) for m in _as_list(value)] for key, value in detail.items()}
            message = fields.pop("non_field_errors", None)
            return code, (message[0] if message else _("Some fields are not valid.")), fields
        return code, "; ".join(str(m) for m in _as_list(detail)), {}
    return code, str(exc.detail), {}


def _as_list(value):
    if isinstance(value, list):
        return [m for item in value for m in _as_list(item)]
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _as_list(v)]
    return [value]


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: known errors get their status; anything else is a logged 500."""
    headers = {}
    if isinstance(exc, RequestDataTooBig):  # Django's own body limit, met reading a form
        exc = PayloadTooLarge()
    if isinstance(exc, PortalError):
        status, body = exc.status, error_body(exc.code, exc.message, exc.fields)
    elif isinstance(exc, drf_exceptions.APIException):
        status = exc.status_code
        body = error_body(*_drf_error(exc))
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(math.ceil(exc.wait))
    elif isinstance(exc, Http404):
        status, body = 404, error_body("not_found", _("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        status, body = 403, error_body("permission_denied", _("You may not do this."))
    else:
        logger.exception("unhandled error in %s", context.get("view").__class__.__name__)
        status = 500
        body = error_body("internal_error", _("An unexpected error occurred; it has been logged."))
    return Response(body, status=status, headers=headers)


def json_bad_request(request, exception=None):
    """Django's 400 (a SuspiciousOperation met outside a view, e.g. a middleware reading
    a body over DATA_UPLOAD_MAX_MEMORY_SIZE: then 413)."""
    refused = PayloadTooLarge() if isinstance(exception, RequestDataTooBig) else PortalError()
    return JsonResponse(
        error_body(refused.code, refused.message, refused.fields), status=refused.status
    )


def json_not_found(request, exception=None):
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


def json_server_error(request):
    return JsonResponse(
        error_body("internal_error", _("An unexpected error occurred; it has been logged.")),
        status=500,
    )
