"""Keystone: what tenant sign-up creates (domain, project, user, role), in admin scope."""

from __future__ import annotations

import contextlib

from django.utils.translation import gettext as _
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc
from openstack import utils

from portal.clouds.base import TenantCredentials
from portal.clouds.errors import CloudNotFound
from portal.clouds.openstack.resource import ResourceAPI
from portal.clouds.openstack.session import login_spec, open_connection


class IdentityAPI(ResourceAPI):
    def create_domain(self, name: str, description: str = "") -> str:
        return self._conn.identity.create_domain(name=name, description=description).id

    def create_project(self, name: str, domain_id: str, description: str = "") -> str:
        project = self._conn.identity.create_project(
            name=name, domain_id=domain_id, description=description
        )
        return project.id

    def create_user(self, name: str, password: str, domain_id: str, project_id: str) -> str:
        user = self._conn.identity.create_user(
            name=name, password=password, domain_id=domain_id, default_project_id=project_id
        )
        return user.id

    def create_role(self, name: str, domain_id: str | None = None) -> str:
        return self._conn.identity.create_role(name=name, domain_id=domain_id).id

    def find_role(self, name: str) -> str:
        # Not ignore_missing=False: the SDK's "not found" of a search has no HTTP status.
        role = self._conn.identity.find_role(name, ignore_missing=True)
        if role is None:
            raise CloudNotFound(_("The cloud has no role named %(name)s.") % {"name": name})
        return role.id

    def _role_grant(self, method: str, role_id: str, user_id: str, project_id: str) -> None:
        # Not the SDK's (un)assign_project_role_to_user: they return False on any error
        # (404 for a missing user, 403, 500 ...) and the caller would never know.
        path = utils.urljoin("/projects", project_id, "users", user_id, "roles", role_id)
        response = self._conn.identity.request(path, method)
        sdk_exc.raise_from_response(response)

    def assign_role(self, role_id: str, user_id: str, project_id: str) -> None:
        self._role_grant("PUT", role_id, user_id, project_id)

    # Deletion: each step tolerates what is already gone, so a failed tenant removal can
    # simply be run again.

    def unassign_role(self, role_id: str, user_id: str, project_id: str) -> None:
        with contextlib.suppress(sdk_exc.NotFoundException):
            self._role_grant("DELETE", role_id, user_id, project_id)

    def delete_role(self, role_id: str) -> None:
        self._conn.identity.delete_role(role_id, ignore_missing=True)

    def delete_user(self, user_id: str) -> None:
        self._conn.identity.delete_user(user_id, ignore_missing=True)

    def delete_project(self, project_id: str) -> None:
        self._conn.identity.delete_project(project_id, ignore_missing=True)

    def delete_domain(self, domain_id: str) -> None:
        # Keystone refuses to delete an enabled domain (403).
        try:
            self._conn.identity.update_domain(domain_id, enabled=False)
        except sdk_exc.NotFoundException:
            return
        self._conn.identity.delete_domain(domain_id, ignore_missing=True)

    def check_login(self, credentials: TenantCredentials) -> bool:
        """Whether the tenant's user can get a token scoped to its project."""
        try:
            connection, _ = open_connection(login_spec(self._handle.cloud, credentials))
        except ks_exc.Unauthorized:
            return False
        # A throwaway connection: the tenant's own jobs use the cache.
        connection.close()
        return True
