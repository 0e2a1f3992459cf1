"""The dashboard's "Capacity" section: vCPU, RAM and local disk used against capacity, per
availability zone and per compute host, from the hosts the network pull mirrors."""

from django.db.models import Count, Sum

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
        {"cloud": row["cloud__name"], "zone": row["zone"], "hosts": row["hosts"],
         "servers": row["servers"], "bars": usage_bars(row)}
        for row in rows
    ]  # fmt: skip


def host_rows(hosts) -> list[dict]:
    rows = hosts.select_related("cloud").order_by("cloud__name", "zone", "name")[:HOST_ROWS]
    return [{"host": host, "bars": usage_bars(vars(host))} for host in rows]
