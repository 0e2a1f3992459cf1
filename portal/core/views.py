"""Django-level error pages: JSON under /api/, Django's own pages elsewhere."""

from django.views import defaults

from portal.core.api.errors import json_bad_request, json_not_found, json_server_error


def bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return json_bad_request(request, exception)
    return defaults.bad_request(request, exception)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return json_server_error(request)
    return defaults.server_error(request)
