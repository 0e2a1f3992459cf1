"""Setting a tenant up in one cloud (seed 004, 租户注册), the worker half.

The Celery job of a "tenant.provision" Task calls `provision_tenant` for the identity the
Task sets up (regions.py queues it), which creates the Keystone domain, project, user and
role, also grants the user the cloud's stock member role (the services' default policies
want it), checks that the tenant's user can log in, and marks the identity ready - or
undoes what it created and marks it failed. A cloud whose kind has no tenant users
(clouds.capabilities, Azure: a resource group per tenant, the portal acting as the
cloud's service principal) gets the domain and project steps only, and the check that
the project can be read. The tenant is active once one region is
ready, failed while every region failed.
"""

import logging

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from portal.clouds.capabilities import TENANT_USERS, supports
from portal.clouds.errors import CloudError
from portal.core.errors import PortalError
from portal.core.services import on_task_abandoned, report_progress
from portal.core.task_messages import CoreMessages, TaskMessage
from portal.tenants.credentials import tenant_credentials
from portal.tenants.models import PROVISION_TASK_KIND, Tenant, TenantIdentity
from portal.tenants.task_messages import ProvisionMessages as M

logger = logging.getLogger(__name__)

# Cloud option naming the role Nova, Cinder and Neutron's default policies require of a
# project member; granted at sign-up besides the tenant's own role. "" grants none.
MEMBER_ROLE_OPTION = "member_role"
DEFAULT_MEMBER_ROLE = "member"


class IdentityCheckFailed(CloudError):
    """The tenant's new Keystone user could not log in (seed 004 rule 4: re-read it)."""

    code = "identity_check_failed"
    default_message = M.LOGIN_FAILED


def provision_tenant(task, *, open_driver) -> TaskMessage:
    """The work of a "tenant.provision" Task (run through core.services.execute_task).

    `open_driver(cloud)` is the Celery job's: only jobs open cloud drivers."""
    identity = TenantIdentity.objects.select_related("tenant", "cloud").get(task=task)
    provisioner = _Provisioner(task, identity, open_driver)
    try:
        provisioner.run()
    except Exception as exc:
        provisioner.undo()
        reason = provisioner.failure_reason(exc)
        _finish(identity, TenantIdentity.State.FAILED, reason)
        if isinstance(exc, PortalError):
            # Same code; the sentence says which step failed, without backend details.
            raise PortalError(reason, code=exc.code) from exc
        raise  # execute_task logs it in full and reports an internal error
    _finish(identity, TenantIdentity.State.READY)
    return M.READY(tenant_id=identity.tenant_id, region=identity.cloud.region)


class _Provisioner:
    """Creates a tenant's Keystone objects step by step, and can undo them.

    Each backend id is saved as soon as the cloud returns it, so a redelivered job
    (acks_late) skips what exists and `undo` knows what to delete.
    """

    # (identity field recording the step's result, progress %, what it does, method)
    STEPS = (
        ("domain_id", 10, M.CREATING_DOMAIN, "_create_domain"),
        ("project_id", 25, M.CREATING_PROJECT, "_create_project"),
        ("user_id", 40, M.CREATING_USER, "_create_user"),
        ("role_id", 55, M.CREATING_ROLE, "_create_role"),
        ("role_assigned", 70, M.GRANTING_ROLE, "_assign_role"),
        ("member_role_id", 80, M.GRANTING_MEMBER_ROLE, "_grant_member_role"),
    )
    # The steps (and their undoing) of a tenant's own user: none where the kind has none.
    USER_STEPS = frozenset({"user_id", "role_id", "role_assigned", "member_role_id"})
    # (identity field, method), newest first
    UNDO = (
        ("member_role_id", "_revoke_member_role"),
        ("role_assigned", "_unassign_role"),
        ("role_id", "_delete_role"),
        ("user_id", "_delete_user"),
        ("project_id", "_delete_project"),
        ("domain_id", "_delete_domain"),
    )

    def __init__(self, task, identity, open_driver):
        self.task = task
        self.identity = identity
        self.open_driver = open_driver
        self.api = None
        self.step = M.CONNECTING

    def run(self):
        self.api = self.open_driver(self.identity.cloud).identity
        for field, percent, step, method in self._steps():
            if not getattr(self.identity, field):  # else made by an earlier delivery
                self._begin(percent, step)
                self._save(field, getattr(self, method)())
        has_users = supports(self.identity.cloud, TENANT_USERS)
        self._begin(90, M.CHECKING_LOGIN if has_users else M.CHECKING_PROJECT)
        if not self.api.check_login(tenant_credentials(self.identity)):
            raise IdentityCheckFailed(None if has_users else M.PROJECT_UNREADABLE)

    def _steps(self):
        cloud = self.identity.cloud
        for step in self.STEPS:
            field = step[0]
            if field in self.USER_STEPS and not supports(cloud, TENANT_USERS):
                continue  # the cloud has no tenant users: the portal acts for the tenant
            if field == "member_role_id" and not member_role_name(cloud):
                continue  # this cloud's policies need no member role
            yield step

    def _begin(self, percent, step):
        self.step = step
        report_progress(self.task, percent, M.STEP(step=step))

    def _save(self, field, value):
        setattr(self.identity, field, value)
        self.identity.save(update_fields=[field, "updated"])

    def _create_domain(self):
        return self.api.create_domain(self.identity.domain_name)

    def _create_project(self):
        return self.api.create_project(self.identity.project_name, self.identity.domain_id)

    def _create_user(self):
        i = self.identity
        return self.api.create_user(i.username, i.password, i.domain_id, i.project_id)

    def _create_role(self):
        # A global role, not a domain-specific one: Keystone leaves domain-specific roles
        # out of tokens, so the user could not log in to its project with one.
        return self.api.create_role(self.identity.role_name)

    def _assign_role(self):
        i = self.identity
        self.api.assign_role(i.role_id, i.user_id, i.project_id)
        return True  # stored in role_assigned

    def _grant_member_role(self):
        i = self.identity
        role_id = self.api.find_role(member_role_name(i.cloud))
        self.api.assign_role(role_id, i.user_id, i.project_id)
        return role_id  # stored in member_role_id

    def undo(self):
        """Delete, newest first, what this sign-up created in the cloud.

        Best effort: a failed deletion is logged and its id kept (so an operator sees what
        is left), never raised, so the error that made sign-up fail is the one reported.
        """
        if self.api is None:
            return
        for field, method in self.UNDO:
            if getattr(self.identity, field):
                self._undo_one(field, getattr(self, method))

    def _undo_one(self, field, delete):
        tenant_id = self.identity.tenant_id
        try:
            delete()
        except Exception:
            logger.exception("tenant %s: undoing its %s failed", tenant_id, field)
            return
        logger.info("tenant %s: undid its %s after a failed sign-up", tenant_id, field)
        self._save(field, TenantIdentity._meta.get_field(field).get_default())

    def _unassign_role(self):
        i = self.identity
        self.api.unassign_role(i.role_id, i.user_id, i.project_id)

    def _revoke_member_role(self):
        # Only the grant: the role itself is the cloud's, shared by every tenant.
        i = self.identity
        self.api.unassign_role(i.member_role_id, i.user_id, i.project_id)

    def _delete_role(self):
        self.api.delete_role(self.identity.role_id)

    def _delete_user(self):
        self.api.delete_user(self.identity.user_id)

    def _delete_project(self):
        self.api.delete_project(self.identity.project_id)

    def _delete_domain(self):
        self.api.delete_domain(self.identity.domain_id)

    def failure_reason(self, exc) -> TaskMessage:
        """A sentence for the tenant and the Task: the step and the error's safe message."""
        detail = exc if isinstance(exc, PortalError) else CoreMessages.CRASHED
        return M.STEP_FAILED(step=self.step, detail=detail)


def member_role_name(cloud) -> str:
    """The stock role the cloud's services require of a project member ("" for none)."""
    return cloud.options.get(MEMBER_ROLE_OPTION, DEFAULT_MEMBER_ROLE)


def _finish(identity, state, reason=""):
    """Record how the set-up in one cloud ended, then the tenant's status it implies."""
    with transaction.atomic():
        # The tenant's row lock serialises the set-ups of its regions ending together.
        tenant = Tenant.objects.select_for_update().get(pk=identity.tenant_id)
        identity.state, identity.state_message = state, str(reason)[:500]
        fields = ["state", "state_message", "updated"]
        if state == TenantIdentity.State.FAILED:
            identity.failures += 1
            fields.append("failures")
        identity.save(update_fields=fields)
        _settle(tenant)


def _settle(tenant):
    """Active once one region is ready; failed when no region is ready or under way."""
    messages = dict(tenant.identities.values_list("state", "state_message"))
    try:
        if TenantIdentity.State.READY in messages:
            tenant.activate()
        elif TenantIdentity.State.PENDING in messages:
            return
        else:
            tenant.mark_failed(messages[TenantIdentity.State.FAILED])
    except TransitionNotAllowed:
        return  # already so
    tenant.save(update_fields=["status", "status_message", "updated"])


@on_task_abandoned(PROVISION_TASK_KIND)
def _provisioning_abandoned(task):
    """The stuck-task janitor failed a set-up: its region is failed too (and retried).
    What the job created in the cloud stays recorded on the identity; a retry goes on
    from there."""
    identity = TenantIdentity.objects.filter(task=task).first()
    if identity is not None:
        message = _("Setting the tenant up in the cloud did not finish.")
        _finish(identity, TenantIdentity.State.FAILED, message)
