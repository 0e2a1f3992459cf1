"""Keystone: domains, projects, users, roles and role assignments (admin scope only)."""

import uuid

from django.utils.translation import gettext as _

from portal.clouds.base import TenantCredentials
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.refusals import conflict, not_found
from portal.clouds.simulator.scope import (
    DISABLED,
    ENABLED,
    credentials_are_valid,
    hash_password,
)
from portal.clouds.simulator.service import Kind, SimulatedService, atomic

# The roles a Keystone deployment bootstraps (keystone-manage bootstrap); the services'
# default policies require `member` (or `reader`) on a project.
STOCK_ROLES = ("admin", "member", "reader")
_STOCK_ROLE_NAMESPACE = uuid.UUID("5b0e1c2a-7d43-4c1e-9a55-0f1f4e2b8d11")


def keystone_id() -> str:
    return uuid.uuid4().hex  # Keystone ids are 32 hex digits, no dashes


def stock_role_id(cloud, name: str) -> str:
    """A stock role's id, fixed per cloud, so creating it lazily is idempotent even when
    two workers race (the second insert meets the unique backend id and is dropped)."""
    return uuid.uuid5(_STOCK_ROLE_NAMESPACE, f"{cloud.pk}-{name}").hex


class SimulatedIdentity(SimulatedService):
    group = "identity"

    # Identity objects belong to no project: project_id stays "" (the domain is parent_id).

    def create_domain(self, name: str, description: str = "") -> str:
        self._require_admin(_("create a domain"))
        self._refuse_duplicate(Kind.DOMAIN, name, parent_id="", what=_("domain"))
        return self._create_identity(Kind.DOMAIN, name, "", {"description": description})

    def create_project(self, name: str, domain_id: str, description: str = "") -> str:
        self._require_admin(_("create a project"))
        self._get(self._all(Kind.DOMAIN), domain_id, _("domain"))
        self._refuse_duplicate(Kind.PROJECT, name, parent_id=domain_id, what=_("project"))
        return self._create_identity(Kind.PROJECT, name, domain_id, {"description": description})

    def create_user(self, name: str, password: str, domain_id: str, project_id: str) -> str:
        self._require_admin(_("create a user"))
        self._get(self._all(Kind.DOMAIN), domain_id, _("domain"))
        self._get(self._all(Kind.PROJECT), project_id, _("project"))
        self._refuse_duplicate(Kind.USER, name, parent_id=domain_id, what=_("user"))
        data = {"password_hash": hash_password(password), "default_project_id": project_id}
        return self._create_identity(Kind.USER, name, domain_id, data)

    def create_role(self, name: str, domain_id: str | None = None) -> str:
        self._require_admin(_("create a role"))
        if domain_id:
            self._get(self._all(Kind.DOMAIN), domain_id, _("domain"))
        else:
            self._ensure_stock_role(name)  # so a second global `member` is refused
        self._refuse_duplicate(Kind.ROLE, name, parent_id=domain_id or "", what=_("role"))
        return self._create_identity(Kind.ROLE, name, domain_id or "", {})

    def assign_role(self, role_id: str, user_id: str, project_id: str) -> None:
        self._require_admin(_("assign a role"))
        self._get(self._all(Kind.ROLE), role_id, _("role"))
        self._get(self._all(Kind.USER), user_id, _("user"))
        self._get(self._all(Kind.PROJECT), project_id, _("project"))
        if not self._assignments(role_id, user_id, project_id).exists():  # PUT: idempotent
            self._create(
                Kind.ROLE_ASSIGNMENT,
                project_id=project_id,
                parent_id=user_id,
                data={"role_id": role_id},
            )

    def find_role(self, name: str) -> str:
        self._require_admin(_("look up a role"))
        self._ensure_stock_role(name)
        role = self._global_roles(name).first()
        if role is None:
            raise not_found(_("role"), name)
        return role.backend_id

    def unassign_role(self, role_id: str, user_id: str, project_id: str) -> None:
        self._require_admin(_("remove a role assignment"))
        self._assignments(role_id, user_id, project_id).delete()

    def delete_role(self, role_id: str) -> None:
        self._require_admin(_("delete a role"))
        with atomic():
            self._all(Kind.ROLE_ASSIGNMENT).filter(data__role_id=role_id).delete()
            self._all(Kind.ROLE).filter(backend_id=role_id).delete()

    def delete_user(self, user_id: str) -> None:
        self._require_admin(_("delete a user"))
        self._delete_users(self._all(Kind.USER).filter(backend_id=user_id))

    def delete_project(self, project_id: str) -> None:
        """Keystone removes the project's role assignments; what the project owns in other
        services (servers, volumes...) stays, orphaned, as in a real cloud."""
        self._require_admin(_("delete a project"))
        self._delete_projects(self._all(Kind.PROJECT).filter(backend_id=project_id))

    def delete_domain(self, domain_id: str) -> None:
        """Keystone refuses to delete an enabled domain, so disable it first; deleting a
        domain deletes its projects, users and domain roles with it."""
        self._require_admin(_("delete a domain"))
        with atomic():
            domains = self._all(Kind.DOMAIN).filter(backend_id=domain_id)
            domains.update(status=DISABLED)
            self._delete_users(self._all(Kind.USER).filter(parent_id=domain_id))
            self._delete_projects(self._all(Kind.PROJECT).filter(parent_id=domain_id))
            roles = self._all(Kind.ROLE).filter(parent_id=domain_id)
            role_ids = list(roles.values_list("backend_id", flat=True))
            self._all(Kind.ROLE_ASSIGNMENT).filter(data__role_id__in=role_ids).delete()
            roles.delete()
            domains.delete()

    def check_login(self, credentials: TenantCredentials) -> bool:
        return credentials_are_valid(self.cloud, credentials)

    # ---- helpers -------------------------------------------------------------------

    def _create_identity(self, kind: str, name: str, parent_id: str, data: dict) -> str:
        created = self._create(
            kind,
            project_id="",
            backend_id=keystone_id(),
            name=name,
            parent_id=parent_id,
            status=ENABLED,
            data=data,
        )
        return created.backend_id

    def _global_roles(self, name: str):
        return self._all(Kind.ROLE).filter(name=name, parent_id="")

    def _ensure_stock_role(self, name: str) -> None:
        """Create a stock role on first use (unless a global role of that name exists)."""
        if name not in STOCK_ROLES or self._global_roles(name).exists():
            return
        role = SimulatedObject(
            cloud=self.cloud,
            kind=Kind.ROLE,
            project_id="",
            backend_id=stock_role_id(self.cloud, name),
            name=name,
            parent_id="",
            status=ENABLED,
            data={},
        )
        SimulatedObject.objects.bulk_create([role], ignore_conflicts=True)

    def _refuse_duplicate(self, kind: str, name: str, *, parent_id: str, what: str) -> None:
        if self._all(kind).filter(name=name, parent_id=parent_id).exists():
            raise conflict(_("A %(what)s named %(name)s already exists."), what=what, name=name)

    def _assignments(self, role_id: str, user_id: str, project_id: str):
        return self._all(Kind.ROLE_ASSIGNMENT).filter(
            parent_id=user_id, project_id=project_id, data__role_id=role_id
        )

    def _delete_users(self, users) -> None:
        user_ids = list(users.values_list("backend_id", flat=True))
        with atomic():
            self._all(Kind.ROLE_ASSIGNMENT).filter(parent_id__in=user_ids).delete()
            users.delete()

    def _delete_projects(self, projects) -> None:
        project_ids = list(projects.values_list("backend_id", flat=True))
        with atomic():
            self._all(Kind.ROLE_ASSIGNMENT).filter(project_id__in=project_ids).delete()
            projects.delete()
