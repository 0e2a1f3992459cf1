"""Tenant operations (seed 004, 租户注册): sign-up, setting a tenant up in the cloud, API keys
and quotas. The API, the admin and the management commands all come through here.

Sign-up happens in two halves. `register_tenant` runs in the request: in one database
transaction it hands out the next tenant id, records the tenant (provisioning), its quota,
its first API key and the names of its cloud identity, and queues a Task. The Celery job
then calls `provision_tenant`, which creates the Keystone domain, project, user and role,
also grants the user the cloud's stock member role (the services' default policies want it),
checks that the tenant's user can log in, and activates the tenant - or undoes what it
created and marks the tenant failed.
"""

import logging
import secrets
import string

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import TransitionNotAllowed

from portal.clouds.base import TenantCredentials
from portal.clouds.errors import CloudError
from portal.clouds.models import Cloud
from portal.core.errors import (
    Conflict,
    NotFound,
    PortalError,
    ServiceUnavailable,
    ValidationFailed,
)
from portal.core.services import create_task, enqueue, on_task_abandoned, report_progress
from portal.tenants.models import (
    TENANT_NAME_MAX_LENGTH,
    PlatformAPIKey,
    Tenant,
    TenantAPIKey,
    TenantIdCounter,
    TenantIdentity,
    TenantQuota,
    format_tenant_id,
)

logger = logging.getLogger(__name__)

PROVISION_TASK_KIND = "tenant.provision"
TASK_TARGET_TYPE = "tenant"
# The counter is a single row; a fixed primary key lets any process find (or create) it.
COUNTER_PK = 1
PASSWORD_LENGTH = 24
# Letters, digits and a few symbols no shell, URL or Keystone policy chokes on.
PASSWORD_SYMBOLS = "-_.+=@%"
# Cloud option naming the role Nova, Cinder and Neutron's default policies require of a
# project member; granted at sign-up besides the tenant's own role. "" grants none.
MEMBER_ROLE_OPTION = "member_role"
DEFAULT_MEMBER_ROLE = "member"
FIRST_KEY_NAME = "sign-up"
ROTATED_KEY_NAME = "rotated"
KEY_NAME_MAX_LENGTH = 50  # rest_framework_api_key's AbstractAPIKey.name


class IdentityCheckFailed(CloudError):
    """The tenant's new Keystone user could not log in (seed 004 rule 4: re-read it)."""

    code = "identity_check_failed"
    default_message = gettext_lazy("The tenant's new cloud user could not log in.")


# ---- sign-up (request side) ------------------------------------------------------------


def clean_tenant_name(name) -> str:
    """The name as stored: stripped, 1-100 printable characters."""
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        problem = _("The tenant name may not be empty.")
    elif len(name) > TENANT_NAME_MAX_LENGTH:
        problem = _("The tenant name may have at most %(max)d characters.") % {
            "max": TENANT_NAME_MAX_LENGTH
        }
    elif not name.isprintable():
        problem = _("The tenant name may not contain control characters.")
    else:
        return name
    raise ValidationFailed(problem, fields={"tenant_name": [problem]})


def ensure_name_available(name):
    """Refuse a name already taken, whatever its case (seed 004: no duplicate names)."""
    if Tenant.objects.filter(name__iexact=name).exists():
        raise _duplicate_name(name)


def provisioning_cloud(cloud=None) -> Cloud:
    """The cloud a new tenant is set up in: the one given, else the default cloud."""
    cloud = cloud or Cloud.objects.default()
    if cloud is None or not cloud.enabled:
        # A configuration problem of the portal, not of the request: 503, try later.
        raise ServiceUnavailable(
            _("No cloud is available to set up tenants in; an administrator must add one."),
            code="no_cloud",
        )
    return cloud


def register_tenant(name, *, actor, cloud=None):
    """Sign a tenant up; returns (tenant, plaintext API key, provisioning Task).

    Everything is written in one transaction, so a refused or failed request leaves
    nothing behind - not even a used-up tenant number.
    """
    name = clean_tenant_name(name)
    cloud = provisioning_cloud(cloud)
    try:
        with transaction.atomic():
            tenant = _create_tenant(name)
            TenantQuota.objects.create(tenant=tenant)
            _api_key, plaintext = _issue_key(tenant, FIRST_KEY_NAME)
            _create_identity(tenant, cloud)
            task = _queue_provisioning(tenant, actor)
    except IntegrityError as exc:
        # Only a concurrent sign-up with the same name gets here (the counter lock
        # serialises the rest); the case-insensitive unique index caught it.
        if Tenant.objects.filter(name__iexact=name).exists():
            raise _duplicate_name(name) from exc
        raise
    logger.info("tenant %s (%s) registered by %s", tenant.tenant_id, name, actor)
    return tenant, plaintext, task


def _duplicate_name(name):
    return Conflict(
        _("A tenant named %(name)s already exists.") % {"name": name},
        code="duplicate_name",
        fields={"tenant_name": [_("This name is already taken.")]},
    )


def _create_tenant(name) -> Tenant:
    """The next tenant, numbered under the counter's row lock (no gap, no duplicate)."""
    counter = _locked_counter()
    # Checked under the lock: every sign-up holds it, so this answer cannot go stale.
    ensure_name_available(name)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return Tenant.objects.create(tenant_id=format_tenant_id(counter.last_number), name=name)


def _locked_counter() -> TenantIdCounter:
    """The counter row, locked until the transaction ends; created on first use."""
    counters = TenantIdCounter.objects.select_for_update()
    counter = counters.filter(pk=COUNTER_PK).first()
    if counter is None:
        # Two first sign-ups may race here: ON CONFLICT DO NOTHING lets both go on,
        # and the locking read below then makes the second wait for the first.
        TenantIdCounter.objects.bulk_create(
            [TenantIdCounter(pk=COUNTER_PK, last_number=0)], ignore_conflicts=True
        )
        counter = counters.get(pk=COUNTER_PK)
    return counter


def _create_identity(tenant, cloud) -> TenantIdentity:
    # Seed 004: domain, project, user and role are all named after the tenant id.
    name = tenant.tenant_id
    return TenantIdentity.objects.create(
        tenant=tenant,
        cloud=cloud,
        domain_name=name,
        project_name=name,
        username=name,
        role_name=name,
        password=generate_password(),
    )


def generate_password(length=PASSWORD_LENGTH) -> str:
    """A random password with every character class (Keystone policies may demand it)."""
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits, PASSWORD_SYMBOLS]
    alphabet = "".join(classes)
    while True:
        password = "".join(secrets.choice(alphabet) for _position in range(length))
        if all(any(c in chars for c in password) for chars in classes):
            return password


def _queue_provisioning(tenant, actor):
    task = create_task(
        PROVISION_TASK_KIND,
        target_type=TASK_TARGET_TYPE,
        target_id=tenant.tenant_id,
        tenant=tenant,
        actor=actor,
    )
    enqueue(task, "portal.tenants.tasks.provision_tenant")
    return task


# ---- provisioning (Celery side) --------------------------------------------------------


def provision_tenant(task, *, open_driver) -> str:
    """The work of a "tenant.provision" Task (run through core.services.execute_task).

    `open_driver(cloud)` is the Celery job's: only jobs open cloud drivers."""
    identity = TenantIdentity.objects.select_related("tenant", "cloud").get(
        tenant_id=task.tenant_id
    )
    provisioner = _Provisioner(task, identity, open_driver)
    try:
        provisioner.run()
    except Exception as exc:
        provisioner.undo()
        reason = provisioner.failure_reason(exc)
        _mark_tenant_failed(identity.tenant, reason)
        if isinstance(exc, PortalError):
            # Same code; the sentence says which step failed, without backend details.
            raise PortalError(reason, code=exc.code) from exc
        raise  # execute_task logs it in full and reports an internal error
    _transition(identity.tenant, "activate")
    return _("Tenant %(tenant_id)s is ready.") % {"tenant_id": identity.tenant_id}


class _Provisioner:
    """Creates a tenant's Keystone objects step by step, and can undo them.

    Each backend id is saved as soon as the cloud returns it, so a redelivered job
    (acks_late) skips what exists and `undo` knows what to delete.
    """

    # (identity field recording the step's result, progress %, what it does, method)
    STEPS = (
        ("domain_id", 10, gettext_lazy("Creating the tenant's domain"), "_create_domain"),
        ("project_id", 25, gettext_lazy("Creating the tenant's project"), "_create_project"),
        ("user_id", 40, gettext_lazy("Creating the tenant's user"), "_create_user"),
        ("role_id", 55, gettext_lazy("Creating the tenant's role"), "_create_role"),
        ("role_assigned", 70, gettext_lazy("Granting the role to the user"), "_assign_role"),
        (
            "member_role_id",
            80,
            gettext_lazy("Granting the cloud's member role to the user"),
            "_grant_member_role",
        ),
    )
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
        self.step = gettext_lazy("Connecting to the cloud")

    def run(self):
        self.api = self.open_driver(self.identity.cloud).identity
        for field, percent, step, method in self.STEPS:
            if field == "member_role_id" and not member_role_name(self.identity.cloud):
                continue  # this cloud's policies need no member role
            if not getattr(self.identity, field):  # else made by an earlier delivery
                self._begin(percent, step)
                self._save(field, getattr(self, method)())
        self._begin(90, gettext_lazy("Checking that the tenant's user can log in"))
        if not self.api.check_login(tenant_credentials(self.identity)):
            raise IdentityCheckFailed()

    def _begin(self, percent, step):
        self.step = step
        report_progress(self.task, percent, _("%(step)s...") % {"step": step})

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

    def failure_reason(self, exc) -> str:
        """A sentence for the tenant and the Task: the step and the error's safe message."""
        if isinstance(exc, PortalError):
            detail = exc.message
        else:
            detail = _("An unexpected error occurred; it has been logged.")
        return _("%(step)s failed: %(detail)s") % {"step": self.step, "detail": detail}


def member_role_name(cloud) -> str:
    """The stock role the cloud's services require of a project member ("" for none)."""
    return cloud.options.get(MEMBER_ROLE_OPTION, DEFAULT_MEMBER_ROLE)


def _mark_tenant_failed(tenant, reason):
    _transition(tenant, "mark_failed", reason)


def _transition(tenant, name, *args):
    """Apply a status transition to the stored row; a repeated one is a no-op."""
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        try:
            getattr(tenant, name)(*args)
        except TransitionNotAllowed:
            logger.info("tenant %s is %s; %s skipped", tenant.pk, tenant.status, name)
            return tenant
        tenant.save(update_fields=["status", "status_message", "updated"])
    return tenant


@on_task_abandoned(PROVISION_TASK_KIND)
def _provisioning_abandoned(task):
    """The stuck-task janitor failed a sign-up: the tenant is failed too. What the job
    created in the cloud stays recorded on its identity for an operator to remove."""
    if task.tenant_id:
        _mark_tenant_failed(task.tenant, _("Setting the tenant up in the cloud did not finish."))


def tenant_credentials(identity) -> TenantCredentials:
    """How tenant-scoped jobs log in to the cloud as the tenant's own user."""
    return TenantCredentials(
        username=identity.username,
        password=identity.password,
        project_id=identity.project_id,
        user_domain_id=identity.domain_id,
        project_domain_id=identity.domain_id,
    )


# ---- API keys ----------------------------------------------------------------------------


def _issue_key(tenant, name):
    return TenantAPIKey.objects.create_key(tenant=tenant, name=name)


def rotate_tenant_key(tenant, *, actor) -> str:
    """A new key for the tenant; every older key stops working. Returns the new key."""
    with transaction.atomic():
        revoked = TenantAPIKey.objects.get_usable_keys().filter(tenant=tenant).update(revoked=True)
        _api_key, plaintext = _issue_key(tenant, ROTATED_KEY_NAME)
    logger.info("tenant %s: key rotated by %s (%d revoked)", tenant.pk, actor, revoked)
    return plaintext


def revoke_key(api_key):
    """Revoke one tenant or platform key (for good: revocation cannot be undone)."""
    api_key.revoked = True
    api_key.save(update_fields=["revoked"])
    logger.info("API key %s (%s) revoked", api_key.prefix, api_key.name)


def revoke_tenant_keys(tenant, *, actor) -> int:
    """Revoke every key of the tenant; returns how many were still usable."""
    count = TenantAPIKey.objects.get_usable_keys().filter(tenant=tenant).update(revoked=True)
    logger.info("tenant %s: %d keys revoked by %s", tenant.pk, count, actor)
    return count


def find_key(prefix):
    """The tenant or platform key with this prefix (the part of a key before the dot)."""
    prefix = prefix.partition(".")[0]
    for model in (TenantAPIKey, PlatformAPIKey):
        api_key = model.objects.filter(prefix=prefix).first()
        if api_key is not None:
            return api_key
    raise NotFound(_("No API key has the prefix %(prefix)s.") % {"prefix": prefix})


def create_platform_key(name):
    """A key of the platform itself (registers tenants); returns (key row, plaintext key)."""
    name = name.strip() if isinstance(name, str) else ""
    if not 1 <= len(name) <= KEY_NAME_MAX_LENGTH:
        problem = _("A key name has 1 to %(max)d characters.") % {"max": KEY_NAME_MAX_LENGTH}
        raise ValidationFailed(problem, fields={"name": [problem]})
    return PlatformAPIKey.objects.create_key(name=name)


# ---- quotas ------------------------------------------------------------------------------


def quota_of(tenant) -> TenantQuota:
    """The tenant's quota; the defaults for a tenant that has none yet."""
    quota, _created = TenantQuota.objects.get_or_create(tenant=tenant)
    return quota


def update_quota(tenant, changes, *, actor) -> TenantQuota:
    """Set some of the tenant's limits (-1: unlimited); returns the whole quota."""
    unknown = sorted(set(changes) - set(TenantQuota.RESOURCES))
    if unknown:
        raise ValidationFailed(fields={name: [_("Not a quota.")] for name in unknown})
    with transaction.atomic():
        quota = quota_of(tenant)
        quota = TenantQuota.objects.select_for_update().get(pk=quota.pk)
        for name, value in changes.items():
            setattr(quota, name, value)
        try:
            quota.full_clean(exclude=["tenant"])
        except ValidationError as exc:
            raise ValidationFailed(fields=exc.message_dict) from exc
        quota.save()
    logger.info("tenant %s: quota set to %s by %s", tenant.pk, quota.as_dict(), actor)
    return quota
