"""Per-project quotas, as Nova (instances, cores, ram), Cinder (volumes, gigabytes),
Neutron (security_groups, security_group_rules) and Manila (shares, share_gigabytes:
Manila's own "gigabytes") count.

Limits come from `cloud.options["quotas"]`, the same for every project, like a cloud's
default quotas: {"instances": 10, "cores": 20, "ram": 51200, "volumes": 10,
"gigabytes": 1000, "security_groups": 10, "security_group_rules": 100, "shares": 50,
"share_gigabytes": 1000}. A missing key or -1 means unlimited.
"""

from django.utils.translation import gettext as _

from portal.clouds.errors import CloudQuotaExceeded
from portal.clouds.simulator.models import SimulatedObject

Kind = SimulatedObject.Kind
RESOURCES = (
    "instances", "cores", "ram", "volumes", "gigabytes", "security_groups", "security_group_rules",
    "shares", "share_gigabytes",
)  # fmt: skip


def project_usage(cloud, project_id: str) -> dict[str, int]:
    """What the project's servers, volumes, security groups and shares use now."""
    owned = SimulatedObject.objects.filter(cloud=cloud, project_id=project_id)
    servers = list(owned.filter(kind=Kind.SERVER).values_list("data", flat=True))
    volumes = list(owned.filter(kind=Kind.VOLUME).values_list("data", flat=True))
    shares = list(owned.filter(kind=Kind.SHARE).values_list("data", flat=True))
    return {
        "instances": len(servers),
        "cores": sum(server["vcpus"] for server in servers),
        "ram": sum(server["ram"] for server in servers),
        "volumes": len(volumes),
        "gigabytes": sum(volume["size"] for volume in volumes),
        "security_groups": owned.filter(kind=Kind.SECURITY_GROUP).count(),
        "security_group_rules": owned.filter(kind=Kind.RULE).count(),
        "shares": len(shares),
        "share_gigabytes": sum(share["size"] for share in shares),
    }


def check_quota(cloud, project_id: str, **wanted: int) -> None:
    """Raise CloudQuotaExceeded if the project cannot take `wanted` more (e.g. cores=2)."""
    limits = _limits(cloud)
    asked = {name: amount for name, amount in wanted.items() if name in limits and amount > 0}
    if not asked:
        return
    usage = project_usage(cloud, project_id)
    for name, amount in asked.items():
        if usage[name] + amount > limits[name]:
            raise CloudQuotaExceeded(
                _(
                    "Quota exceeded for %(resource)s: %(used)s of %(limit)s used, "
                    "%(wanted)s more requested."
                )
                % {"resource": name, "used": usage[name], "limit": limits[name], "wanted": amount}
            )


def _limits(cloud) -> dict[str, int]:
    configured = cloud.options.get("quotas") or {}
    return {
        name: int(limit)
        for name, limit in configured.items()
        if name in RESOURCES and limit is not None and int(limit) >= 0
    }
