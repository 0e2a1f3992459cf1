"""Signing a tenant up (seed 004, 租户注册), the request half.

`register_tenant` runs in the request: in one database transaction it hands out the next
tenant id, records the tenant (provisioning), its quota, its first API key and its cloud
identity in every enabled cloud, each with a Task of its own (regions.py). Their Celery
jobs (provisioning.py) set the tenant up in each cloud; the first to succeed activates it,
and it is failed only if every region failed.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.clouds.models import Cloud
from portal.core.errors import Conflict, ServiceUnavailable, ValidationFailed
from portal.tenants.keys import issue_key
from portal.tenants.models import (
    TENANT_NAME_MAX_LENGTH,
    Tenant,
    TenantIdCounter,
    TenantQuota,
    format_tenant_id,
)
from portal.tenants.regions import queue_setup

logger = logging.getLogger(__name__)

# The counter is a single row; a fixed primary key lets any process find (or create) it.
COUNTER_PK = 1
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


def provisioning_clouds() -> list[Cloud]:
    """The clouds a new tenant is set up in: every enabled one, the default cloud first."""
    default = Cloud.objects.default()
    if default is None:
        # A configuration problem of the portal, not of the request: 503, try later.
        raise ServiceUnavailable(
            _("No cloud is available to set up tenants in; an administrator must add one."),
            code="no_cloud",
        )
    return [default, *Cloud.objects.filter(enabled=True).exclude(pk=default.pk)]


def register_tenant(name, *, actor):
    """Sign a tenant up; returns (tenant, plaintext API key, the set-up Task in the
    default cloud). The set-up Tasks of every region are on its identities.

    Everything is written in one transaction, so a refused or failed request leaves
    nothing behind - not even a used-up tenant number.
    """
    name = clean_tenant_name(name)
    clouds = provisioning_clouds()
    try:
        with transaction.atomic():
            tenant = _create_tenant(name)
            TenantQuota.objects.create(tenant=tenant)
            _api_key, plaintext = issue_key(tenant, FIRST_KEY_NAME)
            for cloud in clouds:
                queue_setup(tenant, cloud, actor=actor)
            task = tenant.identities.get(cloud=clouds[0]).task
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
