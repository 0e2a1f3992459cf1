"""API-key authentication (seed 004, "API key 验证"; design/api.md).

A tenant call carries `Authorization: Api-Key <key>`, `X-Tenant-Id` and
`X-Platform-User-Id`; the key must be the tenant's, not revoked and not expired. A call
with a key but no X-Tenant-Id is a platform call and needs a platform key.

Failed attempts are counted per client address (FailedAuthGuard): once too many, the
address is answered 429 before any key it sends is checked, so keys cannot be guessed.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from portal.core.api.throttles import FailedAuthGuard
from portal.core.principals import ACTOR_PLATFORM, ACTOR_TENANT, ApiPrincipal
from portal.tenants.models import PlatformAPIKey, TenantAPIKey

KEYWORD = "Api-Key"
MAX_PLATFORM_USER_ID_LENGTH = 128


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
        if scheme != KEYWORD:
            return None  # not ours: session authentication may still apply
        guard = FailedAuthGuard()
        guard.refuse_if_tripped(request)
        try:
            return self._principal(request, key.strip()), key.strip()
        except exceptions.AuthenticationFailed:
            guard.record_failure(request)
            raise

    def _principal(self, request, key):
        if not key:
            raise exceptions.AuthenticationFailed(_("The API key is missing."))
        tenant_id = request.headers.get("X-Tenant-Id", "").strip()
        if tenant_id:
            return self._tenant_principal(request, key, tenant_id)
        return self._platform_principal(key)

    def authenticate_header(self, request):
        return KEYWORD

    def _tenant_principal(self, request, key, tenant_id):
        platform_user_id = request.headers.get("X-Platform-User-Id", "").strip()
        if not platform_user_id:
            raise exceptions.AuthenticationFailed(_("The X-Platform-User-Id header is missing."))
        if len(platform_user_id) > MAX_PLATFORM_USER_ID_LENGTH:
            raise exceptions.AuthenticationFailed(_("The X-Platform-User-Id header is too long."))
        api_key = _usable_key(TenantAPIKey, key, select_related=("tenant",))
        if api_key is None or api_key.tenant_id != tenant_id:
            raise exceptions.AuthenticationFailed(
                _("The API key is not valid for this tenant (wrong, revoked or expired).")
            )
        return ApiPrincipal(
            kind=ACTOR_TENANT,
            key_name=api_key.name,
            key_prefix=api_key.prefix,
            tenant=api_key.tenant,
            platform_user_id=platform_user_id,
        )

    def _platform_principal(self, key):
        api_key = _usable_key(PlatformAPIKey, key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(
                _(
                    "The API key is not a valid platform key (wrong, revoked or expired); "
                    "tenant calls need the X-Tenant-Id header."
                )
            )
        return ApiPrincipal(kind=ACTOR_PLATFORM, key_name=api_key.name, key_prefix=api_key.prefix)


def _usable_key(model, key, select_related=()):
    """The key's row if the key matches it and it is neither revoked nor expired."""
    prefix, _dot, _secret = key.partition(".")
    api_key = (
        model.objects.get_usable_keys()
        .select_related(*select_related)
        .filter(prefix=prefix)
        .first()
    )
    if api_key is None or not api_key.is_valid(key) or api_key.has_expired:
        return None
    return api_key


class ApiKeySchema(OpenApiAuthenticationExtension):
    """Describes the three headers of tenant calls in the OpenAPI schema."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`; tenant calls also send `X-Tenant-Id` and "
            "`X-Platform-User-Id`.",
        }
