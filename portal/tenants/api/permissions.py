"""Permission classes of the tenant API, and the platform's per-resource check for any app."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from portal.core.api.permissions import IsTenantOrStaff
from portal.core.principals import is_operator
from portal.tenants.authz import check_resource_access


class PlatformResourcePermission(BasePermission):
    """Asks the platform whether a tenant's platform user may act on the object.

    It runs in `has_object_permission`, that is after the view's tenant-scoped lookup:
    another tenant's object is already a 404, so the platform is only asked about the
    caller's own resources. A view may declare:

    - `authz_action`: the action sent to the platform (default: the viewset action,
      e.g. "retrieve", "destroy", "operate", or the HTTP method in lower case);
    - `authz_id_attr`: the object attribute holding its public id (default: the id the
      URL named, which is the public id the platform knows);
    - or `get_authz_resource_ids(obj)` for anything else.

    A view acting on ids from the request body calls
    portal.tenants.authz.check_resource_access itself.
    """

    def has_object_permission(self, request, view, obj):
        check_resource_access(request.user, resource_ids_of(view, obj), authz_action_of(view))
        return True


def authz_action_of(view) -> str:
    action = getattr(view, "authz_action", None) or getattr(view, "action", None)
    return action or view.request.method.lower()


def resource_ids_of(view, obj) -> list[str]:
    if hasattr(view, "get_authz_resource_ids"):
        return list(view.get_authz_resource_ids(obj))
    attr = getattr(view, "authz_id_attr", None)
    if attr:
        return [str(getattr(obj, attr))]
    lookup_kwarg = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
    return [str(view.kwargs[lookup_kwarg])]


class TenantReadsOperatorWrites(IsTenantOrStaff):
    """Any API caller may try; a tenant may only read. Decided per object, after the
    tenant-scoped lookup, so a tenant changing its own object gets 403 and one naming
    another tenant's object gets 404."""

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or is_operator(request.user)
