"""What every simulated service (identity, images, compute, volumes, network, object
storage) shares."""

import functools
import inspect
import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from portal.clouds import errors
from portal.clouds.simulator import state
from portal.clouds.simulator.faults import raise_injected_fault
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.refusals import not_found
from portal.clouds.simulator.scope import Scope

Kind = SimulatedObject.Kind


def _driver_operation(method_name, method):
    """Wrap a public method: injected faults first, then the scope's authentication."""

    @functools.wraps(method)
    def operation(self, *args, **kwargs):
        raise_injected_fault(self.cloud, f"{self.group}.{method_name}")
        self.scope.authenticate()
        return method(self, *args, **kwargs)

    return operation


class SimulatedService:
    """Base of the simulated services. Every public method a subclass defines becomes a
    driver operation (see _driver_operation), so none can forget the fault check."""

    group = ""  # the attribute name on the driver: "identity", "compute", ...

    def __init__(self, scope: Scope):
        self.scope = scope
        self.cloud = scope.cloud

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, attribute in list(vars(cls).items()):
            if not name.startswith("_") and inspect.isfunction(attribute):
                setattr(cls, name, _driver_operation(name, attribute))

    # ---- querying ------------------------------------------------------------------

    def _all(self, kind: str):
        """Every object of `kind` in this cloud, whoever owns it."""
        return SimulatedObject.objects.filter(cloud=self.cloud, kind=kind)

    def _owned(self, kind: str):
        """Objects of `kind` the scope owns: its project's, or every one for the admin."""
        objects = self._all(kind)
        return objects if self.scope.is_admin else objects.filter(project_id=self.scope.project_id)

    def _settled(self, queryset):
        """`queryset` after applying the transitions that are due among its objects."""
        state.settle(queryset)
        return queryset

    def _get(self, queryset, backend_id: str, what: str) -> SimulatedObject:
        """The object `backend_id` of `queryset`, its due transition applied."""
        found = self._settled(queryset.filter(backend_id=str(backend_id))).first()
        if found is None:
            raise not_found(what, backend_id)
        return found

    def _get_for_update(self, queryset, backend_id: str, what: str) -> SimulatedObject:
        """Like _get, under a row lock; call inside transaction.atomic()."""
        self._settled(queryset.filter(backend_id=str(backend_id)))
        found = queryset.select_for_update().filter(backend_id=str(backend_id)).first()
        if found is None:
            raise not_found(what, backend_id)
        return found

    # ---- writing -------------------------------------------------------------------

    def _create(self, kind: str, *, project_id: str | None = None, **fields) -> SimulatedObject:
        if project_id is None:
            project_id = self.scope.project_id
        fields.setdefault("backend_id", new_id())
        return SimulatedObject.objects.create(
            cloud=self.cloud, kind=kind, project_id=project_id, **fields
        )

    def _rename(self, obj: SimulatedObject, name: str | None, description: str | None) -> None:
        """Apply an update's optional name and description, as the update calls take them."""
        if name is not None:
            obj.name = name
        if description is not None:
            obj.data["description"] = description
        obj.save()

    def _require_admin(self, action: str) -> None:
        """Refuse, as the cloud's policy does, what only an admin may do."""
        if not self.scope.is_admin:
            raise errors.CloudForbidden(
                _("The cloud's policy allows only an administrator to %(action)s.")
                % {"action": action}
            )


atomic = transaction.atomic


def new_id() -> str:
    return str(uuid.uuid4())
