"""Who a simulator driver acts as: the cloud's admin, or a tenant's user in its project."""

import hashlib
import hmac
import secrets
import uuid

from django.utils.translation import gettext as _

from portal.clouds.base import TenantCredentials
from portal.clouds.errors import CloudAuthFailed
from portal.clouds.simulator.models import SimulatedObject

Kind = SimulatedObject.Kind
ENABLED = "enabled"
DISABLED = "disabled"

# The admin's own project. Derived from the cloud so it is stable without a stored row.
_ADMIN_PROJECT_NAMESPACE = uuid.UUID("6f1d2c7e-3c55-4b8e-9a3e-1b0d5c0e7a11")


def admin_project_id(cloud) -> str:
    return uuid.uuid5(_ADMIN_PROJECT_NAMESPACE, f"admin-project-{cloud.pk}").hex


class Scope:
    """The cloud, the project calls act in, and whether they act as the cloud's admin.

    Tenant credentials are checked on the first call (as a real SDK authenticates lazily)
    and the answer is kept for the life of the driver.
    """

    def __init__(self, cloud, credentials: TenantCredentials | None):
        self.cloud = cloud
        self.credentials = credentials
        self.is_admin = credentials is None
        self.project_id = admin_project_id(cloud) if self.is_admin else credentials.project_id
        self._authenticated = self.is_admin

    def authenticate(self) -> None:
        if self._authenticated:
            return
        if not credentials_are_valid(self.cloud, self.credentials):
            raise CloudAuthFailed(
                _("The cloud refused the credentials of user %(user)s.")
                % {"user": self.credentials.username}
            )
        self._authenticated = True


def hash_password(password: str) -> str:
    # A simulator: a salted SHA-256 is enough to keep plain passwords out of its rows.
    salt = secrets.token_hex(8)
    return f"{salt}${_digest(salt, password)}"


def password_matches(stored: str, password: str) -> bool:
    salt, _sep, digest = stored.partition("$")
    return hmac.compare_digest(digest, _digest(salt, password))


def _digest(salt: str, password: str) -> str:
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()


def credentials_are_valid(cloud, credentials: TenantCredentials) -> bool:
    """What Keystone checks for a project-scoped token: an enabled user of an enabled
    domain with that password, and a role on the (enabled) project."""
    identity = SimulatedObject.objects.filter(cloud=cloud)
    user = identity.filter(
        kind=Kind.USER, name=credentials.username, parent_id=credentials.user_domain_id
    ).first()
    if user is None or user.status != ENABLED:
        return False
    if not password_matches(user.data.get("password_hash", ""), credentials.password):
        return False
    project = identity.filter(
        kind=Kind.PROJECT, backend_id=credentials.project_id, status=ENABLED
    ).first()
    if project is None:
        return False
    domain_ids = {user.parent_id, project.parent_id}
    enabled_domains = identity.filter(kind=Kind.DOMAIN, backend_id__in=domain_ids, status=ENABLED)
    if enabled_domains.count() != len(domain_ids):
        return False
    return identity.filter(
        kind=Kind.ROLE_ASSIGNMENT, parent_id=user.backend_id, project_id=project.backend_id
    ).exists()
