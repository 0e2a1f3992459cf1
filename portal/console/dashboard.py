"""The admin dashboard's figures: a fixed number of grouped queries, whatever the data size."""

from collections import Counter, defaultdict
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from portal.clouds.models import Cloud
from portal.console.capacity import capacity_summary
from portal.core.bars import percent_of
from portal.core.models import Task
from portal.core.sentences import name_targets, task_sentence
from portal.images.models import Image
from portal.isos.models import Iso
from portal.servers.models import Server
from portal.tenants.models import UNLIMITED, QuotaReservation, Tenant, TenantIdentity, TenantQuota

# The quotas the dashboard draws, in this order (the others are on the tenant's page).
QUOTA_RESOURCES = ("cores", "ram", "instances", "volumes")
TENANT_ROWS = 50  # the dashboard is an overview; the Tenants list has them all
PROBLEM_TASK_ROWS = 10
TASK_WINDOW = timedelta(hours=24)


def summary(now=None) -> dict:
    """Everything the admin index shows, for templates/admin/dashboard.html."""
    since = (now or timezone.now()) - TASK_WINDOW
    return {
        "clouds": cloud_rows(),
        "tenants": tenant_rows(),
        "tenant_count": Tenant.objects.count(),
        "tenant_rows": TENANT_ROWS,
        "image_states": state_bars(Image.objects.filter(missing_since__isnull=True), "status"),
        "iso_states": state_bars(Iso.objects.filter(missing_since__isnull=True), "status"),
        "image_enabled": enabled_counts(Image.objects.filter(missing_since__isnull=True)),
        "iso_enabled": enabled_counts(Iso.objects.filter(missing_since__isnull=True)),
        "tasks": task_summary(since),
        "capacity": capacity_summary(),
    }


def counts_by(queryset, *fields) -> Counter:
    """{value (or tuple of values): row count} of `queryset` grouped by `fields`, one query."""
    rows = queryset.order_by().values_list(*fields).annotate(count=Count("pk"))
    return Counter({row[0] if len(fields) == 1 else row[:-1]: row[-1] for row in rows})


def cloud_rows() -> list[dict]:
    tenants = counts_by(TenantIdentity.objects.filter(state=TenantIdentity.State.READY), "cloud")
    servers = counts_by(Server.objects.exclude(status=Server.Status.DELETED), "cloud")
    images = counts_by(Image.objects.filter(missing_since__isnull=True), "cloud", "enabled")
    isos = counts_by(Iso.objects.filter(missing_since__isnull=True), "cloud")
    return [
        {
            "cloud": cloud,
            "tenants": tenants[cloud.pk],
            "servers": servers[cloud.pk],
            "images": images[cloud.pk, True] + images[cloud.pk, False],
            "images_enabled": images[cloud.pk, True],
            "isos": isos[cloud.pk],
        }
        for cloud in Cloud.objects.order_by("name")
    ]


def tenant_rows() -> list[dict]:
    tenants = list(Tenant.objects.select_related("quota").order_by("tenant_id")[:TENANT_ROWS])
    usage = quota_usage([tenant.pk for tenant in tenants])
    servers = counts_by(
        Server.objects.filter(tenant__in=tenants).exclude(status=Server.Status.DELETED), "tenant"
    )
    return [
        {
            "tenant": tenant,
            "servers": servers[tenant.pk],
            "quotas": quota_bars(getattr(tenant, "quota", None), usage[tenant.pk]),
        }
        for tenant in tenants
    ]


def quota_usage(tenant_pks) -> dict[int, dict]:
    """{tenant pk: {resource: amount held}} from the servers' quota reservations."""
    holding = QuotaReservation.objects.filter(
        tenant__in=tenant_pks, state__in=QuotaReservation.HOLDING
    )
    rows = (
        holding.order_by()
        .values("tenant")
        .annotate(**{name: Sum(name) for name in QUOTA_RESOURCES})
    )
    usage = defaultdict(dict)
    for row in rows:
        usage[row["tenant"]] = {name: row[name] or 0 for name in QUOTA_RESOURCES}
    return usage


def quota_bars(quota, usage) -> list[dict]:
    bars = []
    for name in QUOTA_RESOURCES:
        limit = getattr(quota, name, UNLIMITED) if quota else UNLIMITED
        used = usage.get(name, 0)
        bars.append(
            {
                "label": TenantQuota._meta.get_field(name).verbose_name,
                "used": used,
                "limit": None if limit == UNLIMITED else limit,
                "percent": percent_of(used, limit) if limit != UNLIMITED else None,
            }
        )
    return bars


def state_bars(queryset, field) -> list[dict]:
    """One bar per value of `field` (with its choice label), widths relative to the total."""
    counts = counts_by(queryset, field)
    total = sum(counts.values())
    labels = dict(queryset.model._meta.get_field(field).flatchoices)
    return [
        {"state": state, "label": labels.get(state, state), "count": count,
         "percent": percent_of(count, total)}
        for state, count in sorted(counts.items(), key=lambda item: -item[1])
    ]  # fmt: skip


def enabled_counts(queryset) -> dict:
    counts = counts_by(queryset, "enabled")
    return {"enabled": counts[True], "disabled": counts[False]}


def task_summary(since) -> dict:
    recent = Task.objects.filter(created__gte=since)
    counts = counts_by(recent, "state")
    total = sum(counts.values())
    window = {"created__gte": since.isoformat()}
    states = [
        {
            "state": state,
            "label": label,
            "count": counts[state],
            "percent": percent_of(counts[state], total),
            "url": task_list_url(state=state, **window),
        }
        for state, label in Task.State.choices
    ]
    problems = list(
        recent.filter(state__in=[Task.State.RUNNING, Task.State.FAILED]).order_by("-created")[
            :PROBLEM_TASK_ROWS
        ]
    )
    name_targets(problems)
    for task in problems:
        task.sentence = task_sentence(task)
    return {"total": total, "states": states, "problems": problems,
            "all_url": task_list_url(**window)}  # fmt: skip


def task_list_url(**filters) -> str:
    """The Task list with `filters`, scheduled syncs shown: the dashboard counts them."""
    filters = {**filters, "scheduled": "shown"}
    return f"{reverse('admin:core_task_changelist')}?{urlencode(filters)}"
