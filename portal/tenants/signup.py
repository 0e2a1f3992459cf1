"""Signing a tenant up (seed 004, 租户注册), the request half.

`register_tenant` runs in the request: in one database transaction it hands out the next
tenant id, records the tenant (provisioning), its quota, its first API key and the names
of its cloud identity, and queues a Task. Its Celery job (provisioning.py) then sets the
tenant up in the cloud and activates it - or undoes what it created and marks it failed.
"""

import logging
import secrets
import string

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.clouds.models import Cloud
from portal.core.errors import Conflict, ServiceUnavailable, ValidationFailed
from portal.core.services import create_task, enqueue
from portal.tenants.keys import issue_key
from portal.tenants.models import (
    PROVISION_TASK_KIND,
    TENANT_NAME_MAX_LENGTH,
    Tenant,
    TenantIdCounter,
    TenantIdentity,
    TenantQuota,
    format_tenant_id,
)

logger = logging.getLogger(__name__)

TASK_TARGET_TYPE = "tenant"
# The counter is a single row; a fixed primary key lets any process find (or create) it.
COUNTER_PK = 1
PASSWORD_LENGTH = 24
# Letters, digits and a few symbols no shell, URL or Keystone policy chokes on.
PASSWORD_SYMBOLS = "-_.+=@%"
FIRST_KEY_NAME = "sign-up"


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
            _api_key, plaintext = issue_key(tenant, FIRST_KEY_NAME)
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
