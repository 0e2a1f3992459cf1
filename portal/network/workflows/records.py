"""How the cloud's records (portal.clouds.base) become the mirrors' field values: one
mapping for the pull and for the jobs that re-read what they changed."""

from portal.network.models import RouterInterface, Subnet


def network_fields(info, tenant_of_project: dict[str, int]):
    """A network's fields; `tenant_of_project` names the tenant whose project owns it (a
    tenant's own network that is not external is one of its VPCs)."""
    project_id = info.project_id or ""
    return {
        "name": info.name or "",
        "description": info.description or "",
        "project_id": project_id,
        "tenant_id": None if info.is_external else tenant_of_project.get(project_id),
        "shared": info.is_shared,
        "external": info.is_external,
        "status": info.status or "",
        "cloud_created_at": info.created_at,
    }


def subnet_fields(info, network_pk: int):
    return {
        "network_id": network_pk,
        "name": info.name or "",
        "cidr": info.cidr,
        "gateway_ip": info.gateway_ip or "",
        "ip_version": info.ip_version,
    }


def router_fields(info, tenant_of_project: dict[str, int]):
    return {
        "name": info.name or "",
        "project_id": info.project_id or "",
        "tenant_id": tenant_of_project.get(info.project_id or ""),
        "status": info.status or "",
        "external_network_id": info.external_network_id or "",
        "routes": [{"destination": r.destination, "nexthop": r.nexthop} for r in info.routes],
        "cloud_created_at": info.created_at,
    }


def apply(row, fields: dict) -> None:
    """Set `fields` on `row` and save them (a job's re-read of one object)."""
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=[*fields, "updated"])


def set_interfaces(cloud, subnets_of_router: dict[int, list[str]]) -> None:
    """Make the mirrored interfaces of these routers (by pk) what the cloud listed: the
    subnets' backend ids of each. Only changes are written; a subnet the mirror does not
    hold is left out. A constant number of queries for any number of routers."""
    wanted_ids = {subnet_id for ids in subnets_of_router.values() for subnet_id in ids}
    subnet_pks = dict(
        Subnet.objects.filter(cloud=cloud, backend_id__in=wanted_ids).values_list(
            "backend_id", "pk"
        )
    )
    wanted = {
        (router_pk, subnet_pks[subnet_id])
        for router_pk, subnet_ids in subnets_of_router.items()
        for subnet_id in subnet_ids
        if subnet_id in subnet_pks
    }
    existing = {
        (router_pk, subnet_pk): pk
        for pk, router_pk, subnet_pk in RouterInterface.objects.filter(
            router_id__in=list(subnets_of_router)
        ).values_list("pk", "router_id", "subnet_id")
    }
    gone = [pk for pair, pk in existing.items() if pair not in wanted]
    if gone:
        RouterInterface.objects.filter(pk__in=gone).delete()
    RouterInterface.objects.bulk_create(
        RouterInterface(router_id=router_pk, subnet_id=subnet_pk)
        for router_pk, subnet_pk in sorted(wanted - set(existing))
    )
