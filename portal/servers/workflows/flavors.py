"""Flavors, the cloud side: the flavor pull (`sync_flavors`), and the administrators'
flavors made, shared and deleted in a cloud with its admin user."""

import contextlib

from django.db import transaction

from portal.clouds.errors import CloudNotFound
from portal.clouds.mirror import CloudMirror, SyncCounts
from portal.core.services import report_step
from portal.core.task_messages import TaskMessage
from portal.servers.flavor_use import check_flavor_unused
from portal.servers.models import Flavor
from portal.servers.task_messages import FlavorMessages as M
from portal.servers.workflows.recording import quietly
from portal.tenants.models import TenantIdentity

# ---- the pull ----------------------------------------------------------------------


def sync_flavors(cloud, driver, progress=None) -> SyncCounts:
    """Mirror the cloud's flavors and their access lists; returns what changed.

    Everything is read from the cloud before anything is written, so a cloud error
    leaves the table as it was.
    """
    infos = driver.compute.list_flavors()
    access = {
        info.id: driver.compute.list_flavor_access(info.id) for info in infos if not info.is_public
    }
    if progress:
        progress(50, M.READ(count=len(infos)))
    mirror = CloudMirror(Flavor, cloud)
    with transaction.atomic():  # flavors and their access lists change together
        rows = mirror.upsert({info.id: _flavor_fields(info) for info in infos})
        mirror.mark_missing()
        _sync_access(cloud, rows, access)
    return mirror.counts


def _flavor_fields(info):
    return {
        "name": info.name,
        "vcpus": info.vcpus,
        "ram": info.ram,
        "disk": info.disk,
        "is_public": info.is_public,
        "extra_specs": dict(info.extra_specs or {}),
    }


def _sync_access(cloud, rows, access):
    """Make `shared_with` of the listed flavors match the cloud's access lists.

    Projects map to tenants through their cloud identities; projects of no tenant (the
    cloud's own) are ignored. Two queries to read, at most two to write.
    """
    Share = Flavor.shared_with.through
    project_ids = {project_id for ids in access.values() for project_id in ids}
    tenant_of = dict(
        TenantIdentity.objects.filter(cloud=cloud, project_id__in=project_ids).values_list(
            "project_id", "tenant_id"
        )
    )
    wanted = {
        (rows[flavor_id].pk, tenant_of[project_id])
        for flavor_id, ids in access.items()
        for project_id in ids
        if project_id in tenant_of
    }
    current = {
        (flavor_pk, tenant_id): pk
        for pk, flavor_pk, tenant_id in Share.objects.filter(
            flavor_id__in=[row.pk for row in rows.values()]
        ).values_list("pk", "flavor_id", "tenant_id")
    }
    stale = [pk for pair, pk in current.items() if pair not in wanted]
    if stale:
        Share.objects.filter(pk__in=stale).delete()
    new = [Share(flavor_id=f, tenant_id=t) for f, t in wanted if (f, t) not in current]
    if new:
        Share.objects.bulk_create(new)


# ---- what the portal's own changes record ------------------------------------------


def record_new_flavor(cloud, info, tenant_ids) -> Flavor:
    """Mirror a flavor the portal just made, with the tenants it is shared with."""
    with transaction.atomic():
        flavor = CloudMirror(Flavor, cloud).upsert({info.id: _flavor_fields(info)})[info.id]
        flavor.shared_with.set(tenant_ids)
    return flavor


def tenant_projects(cloud) -> set[str]:
    """The project ids of the tenants set up in `cloud` (the cloud's own are not)."""
    return set(
        TenantIdentity.objects.filter(cloud=cloud)
        .exclude(project_id="")
        .values_list("project_id", flat=True)
    )


def record_flavor_access(flavor, project_ids) -> None:
    """Mirror the cloud's access list of one flavor (as the pull does)."""
    with transaction.atomic():
        _sync_access(flavor.cloud, {flavor.backend_id: flavor}, {flavor.backend_id: project_ids})


# ---- the flows -----------------------------------------------------------------------


def create_flavor(task, cloud, driver, spec, projects) -> TaskMessage:
    """Make the flavor (admin driver), grant it to the tenants' projects, mirror it. If
    a grant fails, the flavor is deleted again: no half-shared flavor stays behind."""
    report_step(task, 20, M.CREATING(name=spec["name"]))
    info = driver.compute.create_flavor(
        spec["name"],
        spec["vcpus"],
        spec["ram"],
        spec["disk"],
        is_public=spec["is_public"],
        extra_specs=spec["extra_specs"],
    )
    try:
        if projects:
            report_step(task, 60, M.SHARING_WITH(count=len(projects)))
        for project_id in projects.values():
            driver.compute.add_flavor_access(info.id, project_id)
    except Exception:
        quietly(driver.compute.delete_flavor, info.id)
        raise
    record_new_flavor(cloud, info, list(projects))
    return M.CREATED(name=info.name)


def share_flavor(task, flavor, driver, wanted_projects) -> TaskMessage:
    """Grant the flavor to the wanted tenants' projects and revoke it from the other
    tenants' (the cloud's own projects are left alone), then mirror the access list the
    cloud reads back. If a call fails, what was changed is undone: no half-done change."""
    wanted = set(wanted_projects)
    current = set(driver.compute.list_flavor_access(flavor.backend_id))
    grants = sorted(wanted - current)
    revokes = sorted((current - wanted) & tenant_projects(flavor.cloud))
    report_step(task, 30, M.SHARING(name=flavor.name))
    done = []
    try:
        for project_id in grants:
            driver.compute.add_flavor_access(flavor.backend_id, project_id)
            done.append((driver.compute.remove_flavor_access, project_id))
        for project_id in revokes:
            driver.compute.remove_flavor_access(flavor.backend_id, project_id)
            done.append((driver.compute.add_flavor_access, project_id))
    except Exception:
        for undo, project_id in reversed(done):
            quietly(undo, flavor.backend_id, project_id)
        raise
    record_flavor_access(flavor, driver.compute.list_flavor_access(flavor.backend_id))
    return M.SHARED(name=flavor.name, added=len(grants), removed=len(revokes))


def delete_flavor(task, flavor, driver) -> TaskMessage:
    """Delete the flavor in the cloud (gone already is fine), then its row."""
    check_flavor_unused(flavor)  # a server may have taken it since the request
    report_step(task, 30, M.DELETING(name=flavor.name))
    with contextlib.suppress(CloudNotFound):
        driver.compute.delete_flavor(flavor.backend_id)
    flavor.delete()
    return M.DELETED(name=flavor.name)
