"""The dashboard's "Capacity" section: vCPU, RAM and local disk used against capacity, per
availability zone and per compute host, from the hosts the network pull mirrors."""

from django.db.models import Count, Sum
from django.urls import reverse

from portal.network.capacity import RESOURCES, usage_bars
from portal.network.models import ComputeHost

HOST_ROWS = 50  # the dashboard is an overview; the compute host list has them all


def capacity_summary() -> dict:
    """Per zone and per host bars, in three queries whatever the number of hosts."""
    present = ComputeHost.objects.filter(missing_since__isnull=True)
    return {
        "zones": zone_rows(present),
        "hosts": host_rows(present),
        "host_count": present.count(),
        "host_rows": HOST_ROWS,
        "labels": [label for _total, _used, label, _unit in RESOURCES],
    }


def zone_rows(hosts) -> list[dict]:
    sums = {field: Sum(field) for resource in RESOURCES for field in resource[:2]}
    rows = (
        hosts.order_by("cloud__name", "zone")
        .values("cloud__name", "zone")
        .annotate(hosts=Count("pk"), servers=Sum("servers"), **sums)
    )
    return [
        {"name": row["zone"] or "-", "cloud": row["cloud__name"], "detail": row["hosts"],
         "servers": row["servers"], "bars": usage_bars(row)}
        for row in rows
    ]  # fmt: skip


def host_rows(hosts) -> list[dict]:
    rows = hosts.select_related("cloud").order_by("cloud__name", "zone", "name")[:HOST_ROWS]
    return [
        {"name": host.name, "cloud": host.cloud.name, "detail": host.zone,
         "servers": host.servers, "bars": usage_bars(vars(host)), "notes": unusable(host),
         "url": reverse("admin:network_computehost_change", args=[host.pk])}
        for host in rows
    ]  # fmt: skip


def unusable(host) -> list[str]:
    """Why the scheduler would not place servers on `host` (none when it is up and enabled)."""
    notes = []
    if host.status != ComputeHost.Status.ENABLED:
        notes.append(host.get_status_display())
    if host.state != ComputeHost.State.UP:
        notes.append(host.get_state_display())
    return notes
