"""Who is calling: a staff user (session) or an API key (tenant- or platform-scoped)."""

from dataclasses import dataclass
from typing import Any

ACTOR_STAFF = "staff"
ACTOR_PLATFORM = "platform"
ACTOR_TENANT = "tenant"
ACTOR_ANONYMOUS = "anonymous"
ACTOR_SYSTEM = "system"
# Who asks for the pulls Celery beat schedules (a Task's `requested_by`).
BEAT_ACTOR = "system:beat"


@dataclass(frozen=True)
class ApiPrincipal:
    """The `request.user` of a call authenticated by an API key."""

    kind: str  # ACTOR_TENANT or ACTOR_PLATFORM
    key_name: str
    key_prefix: str
    tenant: Any = None  # portal.tenants.models.Tenant for tenant keys
    platform_user_id: str = ""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    @property
    def is_tenant(self):
        return self.kind == ACTOR_TENANT

    @property
    def is_platform(self):
        return self.kind == ACTOR_PLATFORM


@dataclass(frozen=True)
class Actor:
    """What the audit log and Task.requested_by record about a caller."""

    type: str
    name: str
    tenant_id: str = ""

    def __str__(self):
        return f"{self.type}:{self.name}"


# Who acts through the management commands (a Task's `requested_by`, the audit log).
COMMAND_ACTOR = Actor(ACTOR_SYSTEM, "manage.py")


def actor_of(user) -> Actor:
    if isinstance(user, ApiPrincipal):
        tenant_id = user.tenant.tenant_id if user.tenant else ""
        name = user.platform_user_id or user.key_name
        return Actor(user.kind, name, tenant_id)
    if user is not None and getattr(user, "is_authenticated", False):
        return Actor(ACTOR_STAFF, user.get_username())
    return Actor(ACTOR_ANONYMOUS, "")


def tenant_scope(user):
    """The tenant a caller is confined to, or None for staff and platform keys (see all)."""
    if isinstance(user, ApiPrincipal) and user.is_tenant:
        return user.tenant
    return None


def is_operator(user) -> bool:
    """Staff users and platform keys: may see every tenant's records."""
    if isinstance(user, ApiPrincipal):
        return user.is_platform
    return bool(user is not None and getattr(user, "is_staff", False))
