"""Flavor operations: who sees which flavor, the flavor pull, enabling and disabling."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.principals import tenant_scope
from portal.core.sync import CloudMirror, SyncCounts, cloud_for_region, request_sync
from portal.servers.models import Flavor
from portal.tenants.models import TenantIdentity

SYNC_KIND = "flavors.sync"


# ---- reading ------------------------------------------------------------------------


def flavors_visible_to(user):
    """Operators see every flavor; a tenant sees the enabled, present flavors that are
    public or shared with it (a subquery, not a join, so no flavor comes twice)."""
    flavors = Flavor.objects.all()
    tenant = tenant_scope(user)
    if tenant is None:
        return flavors
    shared = Flavor.shared_with.through.objects.filter(tenant=tenant).values("flavor_id")
    return flavors.filter(enabled=True, missing_since__isnull=True).filter(
        Q(is_public=True) | Q(pk__in=shared)
    )


def find_flavor(queryset, flavor_id):
    """The flavor with that cloud id: one cloud's ids may repeat in another, so the
    default cloud's flavor wins, then the first cloud by name. None if there is none."""
    return (
        queryset.filter(backend_id=flavor_id).order_by("-cloud__is_default", "cloud__name").first()
    )


# ---- portal flags -------------------------------------------------------------------


def set_flavors_enabled(flavors, enabled: bool) -> int:
    """Enable or disable flavors (a portal flag); rows already so are not written."""
    return flavors.exclude(enabled=enabled).update(enabled=enabled, updated=timezone.now())


def set_flavor_enabled(flavor: Flavor, enabled: bool) -> Flavor:
    set_flavors_enabled(Flavor.objects.filter(pk=flavor.pk), enabled)
    flavor.enabled = enabled
    return flavor


# ---- the pull ----------------------------------------------------------------------


def request_flavor_sync(region=None, *, cloud=None, actor=None):
    """Queue a flavor pull of `cloud` (or of the cloud serving `region`); returns
    (cloud, Task)."""
    from portal.servers import tasks  # the Celery job imports this module

    cloud = cloud or cloud_for_region(region)
    return cloud, request_sync(SYNC_KIND, cloud, tasks.sync_flavors, actor=actor)


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
        progress(50, _("Read %(count)d flavors from the cloud.") % {"count": len(infos)})
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
