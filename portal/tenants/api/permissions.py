"""Permission classes of the tenant API, the platform's per-resource check for any app,
and the tenant a request acts for."""

from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from portal.core.api.permissions import IsTenantOrStaff
from portal.core.errors import ValidationFailed
from portal.core.principals import is_operator, tenant_scope
from portal.tenants.authz import check_resource_access
from portal.tenants.models import Tenant


def acting_tenant(request, tenant_id):
    """The caller's tenant; operators name the tenant they act for (`tenant_id`)."""
    tenant = tenant_scope(request.user)
    if tenant is not None:
        return tenant
    found = Tenant.objects.filter(pk=tenant_id).first() if tenant_id else None
    if found is None:
        raise ValidationFailed(fields={"tenant_id": [_("Name the tenant to act for.")]})
    return found


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

    Resources the request body names (a flavor to resize to, an ISO to mount) are asked
    about in the same question: see `ask_about_body`.
    """

    def has_object_permission(self, request, view, obj):
        check_resource_access(request.user, resource_ids_of(view, obj), authz_action_of(view))
        return True


def authz_action_of(view) -> str:
    action = getattr(view, "authz_action", None) or getattr(view, "action", None)
    return action or view.request.method.lower()


def resource_ids_of(view, obj) -> list[str]:
    return [*_object_ids(view, obj), *getattr(view, "authz_body_ids", ())]


def _object_ids(view, obj):
    if hasattr(view, "get_authz_resource_ids"):
        return list(view.get_authz_resource_ids(obj))
    attr = getattr(view, "authz_id_attr", None)
    if attr:
        return [str(getattr(obj, attr))]
    lookup_kwarg = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
    return [str(view.kwargs[lookup_kwarg])]


def ask_about_body(view, resource_ids, *, with_object=True) -> None:
    """The existing resources a validated request body names (seed 004: `resource_id` is
    variadic), asked about in one question with the object of the URL.

    With `with_object`, they are held on the view for PlatformResourcePermission, which
    asks when the view's `get_object()` runs next (so another tenant's object is still a
    404 first); without (a create: no object yet), the platform is asked now. A denial
    is the same 403 `platform_denied` as for an id in the URL.
    """
    ids = [str(resource_id) for resource_id in resource_ids if resource_id]
    if with_object:
        view.authz_body_ids = ids
    else:
        check_resource_access(view.request.user, ids, authz_action_of(view))


class TenantReadsOperatorWrites(IsTenantOrStaff):
    """Any API caller may try; a tenant may only read. Decided per object, after the
    tenant-scoped lookup, so a tenant changing its own object gets 403 and one naming
    another tenant's object gets 404."""

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or is_operator(request.user)
