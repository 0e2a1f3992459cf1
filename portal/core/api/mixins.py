"""View helpers shared by every app's API."""

import time

from django.http import HttpResponse
from rest_framework import status
from rest_framework.response import Response

from portal.core import list_cache
from portal.core.errors import ValidationFailed
from portal.core.principals import tenant_scope
from portal.core.services import MAX_WAIT_SECONDS, wait_for_task


class TenantScopedMixin:
    """Confines a tenant key to its own rows; another tenant's row is simply not found (404).

    `tenant_field` is the lookup from the view's model to its Tenant.
    """

    tenant_field = "tenant"

    def scope_to_tenant(self, queryset):
        tenant = tenant_scope(self.request.user)
        if tenant is None:
            return queryset
        return queryset.filter(**{self.tenant_field: tenant})


class SavedThroughServiceMixin:
    """`create` and `partial_update` hand the validated fields to `save_instance(instance,
    changes)`: the app's one way to save the row (write-only secrets, unique names), which
    its admin uses too. Returns the saved row."""

    def save_instance(self, instance, changes):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.save_instance(self.queryset.model(), serializer.validated_data)
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        instance = self.save_instance(instance, serializer.validated_data)
        return Response(self.get_serializer(instance).data)


def requested_wait_seconds(request):
    """The `?wait=N` parameter (seconds, 0-60), or 0 when absent."""
    raw = request.query_params.get("wait")
    if raw in (None, ""):
        return 0
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1
    if not 0 <= seconds <= MAX_WAIT_SECONDS:
        raise ValidationFailed(
            fields={"wait": [f"Must be a number of seconds from 0 to {MAX_WAIT_SECONDS}."]}
        )
    return seconds


def wait_if_asked(request, task):
    """Honour `?wait=N`: block until the Task ends or N seconds pass; returns it refreshed."""
    seconds = requested_wait_seconds(request)
    return wait_for_task(task, seconds) if seconds else task


def wait_for_all_if_asked(request, tasks):
    """`?wait=N` over several Tasks: one budget of N seconds for them all; returns them
    refreshed."""
    seconds = requested_wait_seconds(request)
    if not seconds:
        return list(tasks)
    deadline = time.monotonic() + seconds
    return [wait_for_task(task, max(deadline - time.monotonic(), 0)) for task in tasks]


def accepted_with_task(request, record, task, serializer_class, *, reread, task_attribute):
    """202 with `record` and the Task working on it (as `record.<task_attribute>`), after
    `?wait=N`; `reread(record)` gives the record as the Task left it, once it has ended."""
    task = wait_if_asked(request, task)
    if task.is_finished:
        record = reread(record)
    setattr(record, task_attribute, task)
    return Response(serializer_class(record).data, status=status.HTTP_202_ACCEPTED)


class CachedListMixin:
    """Serves a tenant's list pages from the list cache (portal/core/list_cache.py) while
    none of the tables in `cached_from` (the models the page is read from, joins, filters
    and prefetches included) has changed. A page is kept as the JSON it was sent as: a
    hit neither reads the rows nor renders them. Operators' and platform keys' pages, and
    the browsable API's, are always read from the database."""

    cached_from = ()

    def list(self, request, *args, **kwargs):
        body, token = self._cached_page(request)
        if body is not None:
            return self._json_answer(request, body)
        response = super().list(request, *args, **kwargs)
        if token is not None and response.status_code == status.HTTP_200_OK:
            body = request.accepted_renderer.render(
                response.data, request.accepted_media_type, self.get_renderer_context()
            )
            list_cache.keep_page(token, body)
            return self._json_answer(request, body)
        return response

    @staticmethod
    def _json_answer(request, body):
        return HttpResponse(body, content_type=request.accepted_renderer.media_type)

    def _cached_page(self, request):
        tenant = tenant_scope(request.user)
        if not list_cache.enabled() or tenant is None or request.accepted_renderer.format != "json":
            return None, None
        return list_cache.cached_page(
            self.basename,
            self.cached_from,
            scope=tenant.tenant_id,
            query=f"{request.accepted_media_type}?{request.META.get('QUERY_STRING', '')}",
        )
