"""View helpers shared by every app's API."""

import time

from rest_framework import status
from rest_framework.response import Response

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
