"""A tenant in several regions, the request side: one cloud identity per tenant and
enabled cloud, each set up by a Task of its own (its job: provisioning.py).

Sign-up queues the set-up in every enabled cloud, a cloud that starts serving (registered,
or enabled again) queues it for every tenant, and beat retries failed and missing ones.
Work in a region where the tenant is not ready is refused up front (`require_ready`),
before any row, Task or quota is taken.
"""

import secrets
import string

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from portal.clouds.models import Cloud
from portal.core.errors import Conflict
from portal.core.models import Task
from portal.core.principals import BEAT_ACTOR
from portal.core.services import create_task, enqueue
from portal.tenants.models import PROVISION_TASK_KIND, Tenant, TenantIdentity

TASK_TARGET_TYPE = "tenant"
SETUP_JOB = "portal.tenants.tasks.provision_tenant"
PASSWORD_LENGTH = 24
# Letters, digits and a few symbols no shell, URL or Keystone policy chokes on.
PASSWORD_SYMBOLS = "-_.+=@%"


def queue_setup(tenant, cloud, *, actor) -> bool:
    """Queue the set-up of `tenant` in `cloud` (its identity there is made, pending, if it
    has none); False where it is ready or its set-up is still queued or running. The job
    runs once the caller's transaction commits."""
    with transaction.atomic():
        identity = _locked_identity(tenant, cloud)
        if identity.is_ready or _setup_unfinished(identity):
            return False
        identity.task = create_task(
            PROVISION_TASK_KIND,
            target_type=TASK_TARGET_TYPE,
            target_id=tenant.tenant_id,
            tenant=tenant,
            actor=actor,
        )
        identity.state, identity.state_message = TenantIdentity.State.PENDING, ""
        identity.save(update_fields=["task", "state", "state_message", "updated"])
        enqueue(identity.task, SETUP_JOB)
    return True


def set_up_tenants_in(cloud, *, actor) -> int:
    """A cloud starts serving: queue every tenant's set-up there; returns how many."""
    ready = TenantIdentity.objects.filter(cloud=cloud, state=TenantIdentity.State.READY)
    tenants = Tenant.objects.exclude(pk__in=ready.values("tenant"))
    return sum(queue_setup(tenant, cloud, actor=actor) for tenant in tenants)


def on_cloud_opened(sender, *, cloud, actor, **kwargs):
    """Receiver of portal.clouds.services.cloud_opened."""
    set_up_tenants_in(cloud, actor=actor)


def retry_setups(*, actor=BEAT_ACTOR) -> int:
    """Beat: queue the set-up again where it failed fewer than TENANT_SETUP_RETRIES times,
    and where a tenant has no identity in an enabled cloud yet (a cloud-opened run that
    was lost); returns how many were queued."""
    failed = TenantIdentity.objects.filter(
        state=TenantIdentity.State.FAILED,
        cloud__enabled=True,
        failures__lt=settings.TENANT_SETUP_RETRIES,
    ).select_related("tenant", "cloud")
    count = sum(queue_setup(i.tenant, i.cloud, actor=actor) for i in failed)
    for cloud in Cloud.objects.filter(enabled=True):
        missing = Tenant.objects.exclude(identities__cloud=cloud)
        count += sum(queue_setup(tenant, cloud, actor=actor) for tenant in missing)
    return count


def retry_tenant(tenant, *, actor) -> int:
    """An operator's retry: queue the set-up again in every enabled cloud where the tenant
    is not ready, with a fresh count of beat's retries; returns how many were queued."""
    clouds = Cloud.objects.filter(enabled=True).exclude(
        pk__in=tenant.identities.filter(state=TenantIdentity.State.READY).values("cloud")
    )
    tenant.identities.filter(state=TenantIdentity.State.FAILED).update(failures=0)
    return sum(queue_setup(tenant, cloud, actor=actor) for cloud in clouds)


def require_ready(tenant, cloud) -> None:
    """Refuse (409 tenant_not_ready) work for `tenant` in `cloud` unless its set-up there
    has succeeded; says whether it is still under way or failed (and is retried)."""
    identity = TenantIdentity.objects.filter(tenant=tenant, cloud=cloud).first()
    if identity is not None and identity.is_ready:
        return
    values = {"region": cloud.region}
    if identity is not None and identity.state == TenantIdentity.State.FAILED:
        message = _(
            "Setting the tenant up in region %(region)s failed; it is retried. Try again "
            "later or use another region."
        )
    else:
        message = _("The tenant is still being set up in region %(region)s; try again shortly.")
    raise Conflict(message % values, code="tenant_not_ready")


def _locked_identity(tenant, cloud) -> TenantIdentity:
    """The tenant's identity in `cloud`, locked until the transaction ends; made on first
    use (a concurrent maker is let through by ON CONFLICT DO NOTHING)."""
    identities = TenantIdentity.objects.select_for_update()
    identity = identities.filter(tenant=tenant, cloud=cloud).first()
    if identity is None:
        TenantIdentity.objects.bulk_create([_new_identity(tenant, cloud)], ignore_conflicts=True)
        identity = identities.get(tenant=tenant, cloud=cloud)
    return identity


def _new_identity(tenant, cloud) -> TenantIdentity:
    # Seed 004: domain, project, user and role are all named after the tenant id.
    name = tenant.tenant_id
    return TenantIdentity(
        tenant=tenant,
        cloud=cloud,
        domain_name=name,
        project_name=name,
        username=name,
        role_name=name,
        password=generate_password(),
    )


def _setup_unfinished(identity) -> bool:
    task_id = identity.task_id
    return (
        task_id is not None
        and Task.objects.filter(
            pk=task_id, state__in=[Task.State.QUEUED, Task.State.RUNNING]
        ).exists()
    )


def generate_password(length=PASSWORD_LENGTH) -> str:
    """A random password with every character class (Keystone policies may demand it)."""
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits, PASSWORD_SYMBOLS]
    alphabet = "".join(classes)
    while True:
        password = "".join(secrets.choice(alphabet) for _position in range(length))
        if all(any(c in chars for c in password) for chars in classes):
            return password
