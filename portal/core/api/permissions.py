"""Who may call what. Tenant keys are confined to their tenant by the views' querysets."""

from rest_framework.permissions import BasePermission

from portal.core.principals import ApiPrincipal, is_operator


class IsTenantOrStaff(BasePermission):
    """A tenant or platform API key, or a signed-in staff user (the default)."""

    def has_permission(self, request, view):
        user = request.user
        return isinstance(user, ApiPrincipal) or bool(user and user.is_staff)


class IsOperator(BasePermission):
    """A platform API key or a signed-in staff user."""

    def has_permission(self, request, view):
        return is_operator(request.user)


class IsStaff(BasePermission):
    """A signed-in staff user only."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and not isinstance(user, ApiPrincipal) and user.is_staff)


class ReadOnlyForTenants(BasePermission):
    """Tenants may read; changing is for operators."""

    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return IsTenantOrStaff().has_permission(request, view)
        return is_operator(request.user)
