"""The servers' state sync (issue 6, item 9): the portal's server rows brought in step with
what the cloud reports, by a beat job per cloud and on demand ("Sync now").

The cloud is read with its admin user over every project, page by page. For each page:

- rows the portal knows (by backend id) get the cloud's runtime status, power state,
  addresses, host, zone, Nova lock and flavor, written in bulk and only when changed
  (`CloudMirror`). Rows in the middle of a portal operation (locked, or not `ready`) are
  left alone: the operation's job writes them when it ends. A flavor changed behind the
  portal's back moves the server's quota by the difference;
- servers in a tenant's project that the portal does not know (made with the tenant's
  credentials outside the portal) become rows of origin `discovered`, holding their
  instance, cores and RAM in the tenant's quota. Servers of projects that belong to no
  tenant are ignored; so are servers the portal made whose create job has not recorded
  them yet (their metadata names a row without a backend id);

after the complete listing, ready rows the cloud no longer has were deleted behind the
portal's back: they are marked deleted, their data disks detached in the portal's books
(the cloud keeps them), and the quota the server held is released.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.sync import (
    PAGE_SIZE,
    CloudMirror,
    SyncCounts,
    cloud_for_region,
    pages,
    request_sync,
)
from portal.servers.models import Flavor, QuotaReservation, Server, Volume
from portal.servers.workflows import METADATA_KEY
from portal.tenants.models import TenantIdentity

SYNC_KIND = "servers.sync"
DELETED_CHUNK = 500
SYNCED_FIELDS = (
    "runtime_state", "power_state", "addresses", "hypervisor_hostname", "cloud_locked",
    "availability_zone", "flavor_id", "flavor_ref", "flavor_name", "vcpus", "ram",
    "flavor_disk",
)  # fmt: skip
LOADED_FIELDS = (
    "id", "cloud_id", "backend_id", "tenant_id", "status", "locked", "synced_at", "updated",
    *SYNCED_FIELDS,
)  # fmt: skip
Holding = QuotaReservation.State


def request_server_sync(region=None, *, cloud=None, actor=None):
    """Queue a state sync of `cloud` (or of the cloud serving `region`); returns
    (cloud, Task). One at a time per cloud: a pending one is returned instead."""
    from portal.servers import tasks  # the Celery module imports this one

    cloud = cloud or cloud_for_region(region)
    return cloud, request_sync(SYNC_KIND, cloud, tasks.sync_servers, actor=actor)


def sync_servers(cloud, driver, progress=None, *, page_size=PAGE_SIZE) -> SyncCounts:
    """Reconcile the cloud's servers (admin-scope `driver`) with the portal's rows."""
    mirror = ServerMirror(cloud)
    listing = driver.compute.iter_servers(page_size=page_size)
    for page in pages(listing, page_size):
        mirror.upsert_servers(page)
        if progress:
            progress(
                50, _("Read %(count)d servers from the cloud.") % {"count": mirror.counts.read}
            )
    mirror.mark_deleted()
    return mirror.counts


class ServerMirror(CloudMirror):
    """`CloudMirror` for servers: only rows at rest are written, discovered servers get a
    tenant and quota, and vanished ones are marked deleted instead of missing."""

    def __init__(self, cloud):
        super().__init__(Server, cloud, on_create=self._complete_discovered)
        self.flavors = {flavor.backend_id: flavor for flavor in Flavor.objects.filter(cloud=cloud)}
        self.page_infos = {}
        self.tenant_of_project = {}
        self.sizes_before = {}

    # ---- one page -----------------------------------------------------------------

    def upsert_servers(self, infos) -> None:
        """Upsert one page of `ServerInfo`s. Queries: two to read (tenants of the page's
        projects, portal-made servers not recorded yet), then `CloudMirror.upsert`'s."""
        self.seen.update(info.id for info in infos)  # even those of no tenant: not gone
        self.page_infos = {info.id: info for info in infos}
        self.tenant_of_project = dict(
            TenantIdentity.objects.filter(
                cloud=self.cloud, project_id__in={info.project_id for info in infos}
            ).values_list("project_id", "tenant_id")
        )
        unrecorded = self._unrecorded_portal_servers(infos)
        page = {
            info.id: self._fields(info)
            for info in infos
            if info.project_id in self.tenant_of_project and info.id not in unrecorded
        }
        self.counts.read += len(infos) - len(page)  # upsert counts the page's own
        if page:
            self.upsert(page)

    def _unrecorded_portal_servers(self, infos) -> set[str]:
        """Cloud ids of servers the portal asked for whose row has no backend id yet (the
        create job died between asking and recording; its redelivery finds them)."""
        by_instance = {
            info.metadata[METADATA_KEY]: info.id
            for info in infos
            if info.metadata.get(METADATA_KEY)
        }
        if not by_instance:
            return set()
        waiting = Server.objects.filter(
            instance_id__in=list(by_instance), backend_id__isnull=True
        ).values_list("instance_id", flat=True)
        return {by_instance[instance_id] for instance_id in waiting}

    def _fields(self, info) -> dict:
        """The row's fields the cloud decides, as the cloud reports them."""
        fields = {
            "runtime_state": info.status,
            "power_state": info.power_state,
            "addresses": {name: list(ips) for name, ips in info.addresses.items()},
            "hypervisor_hostname": info.host,
            "cloud_locked": info.locked,
        }
        if info.availability_zone:
            fields["availability_zone"] = info.availability_zone
        flavor = self.flavors.get(info.flavor_id)
        if flavor is not None:  # an unknown flavor (not pulled yet) changes nothing
            fields |= {
                "flavor_id": flavor.pk,
                "flavor_ref": flavor.backend_id,
                "flavor_name": flavor.name,
                "vcpus": flavor.vcpus,
                "ram": flavor.ram,
                "flavor_disk": flavor.disk,
            }
        return fields

    # ---- CloudMirror's hooks ------------------------------------------------------

    def existing_rows(self, backend_ids):
        """Only the columns the sync compares or needs (no secret to decrypt per row)."""
        return super().existing_rows(backend_ids).only(*LOADED_FIELDS)

    def _apply_changes(self, rows, page):
        """Only rows at rest follow the cloud; a portal operation owns the others."""
        at_rest = {
            backend_id: row
            for backend_id, row in rows.items()
            if row.status == Server.Status.READY and not row.locked
        }
        self.sizes_before = {row.pk: (row.vcpus, row.ram) for row in at_rest.values()}
        return super()._apply_changes(at_rest, page)

    def _update(self, changed, changed_fields):
        super()._update(changed, changed_fields)
        QuotaReservation.objects.bulk_create(self._resize_deltas(changed))

    def _resize_deltas(self, changed):
        """Committed quota rows for servers whose flavor changed behind the portal's back."""
        deltas = []
        for row in changed:
            vcpus, ram = self.sizes_before[row.pk]
            if (row.vcpus, row.ram) != (vcpus, ram):
                deltas.append(
                    QuotaReservation(
                        tenant_id=row.tenant_id,
                        server=row,
                        state=Holding.COMMITTED,
                        cores=row.vcpus - vcpus,
                        ram=row.ram - ram,
                    )
                )
        return deltas

    def _insert(self, new):
        super()._insert(new)
        QuotaReservation.objects.bulk_create(
            QuotaReservation(
                tenant_id=row.tenant_id,
                server=row,
                state=Holding.COMMITTED,
                instances=1,
                cores=row.vcpus,
                ram=row.ram,
            )
            for row in new
        )

    def _complete_discovered(self, rows) -> None:
        """Give servers made outside the portal what a row needs besides the cloud's
        fields: their tenant, name, image and sizes."""
        for row in rows:
            info = self.page_infos[row.backend_id]
            flavor = self.flavors.get(info.flavor_id)
            row.tenant_id = self.tenant_of_project[info.project_id]
            row.origin = Server.Origin.DISCOVERED
            row.status = Server.Status.READY
            row.name = info.name[:255]
            row.image_ref = info.image_id
            row.security_group_names = list(info.security_groups)
            if flavor is None:
                row.flavor_ref, row.vcpus, row.ram = info.flavor_id, 0, 0
            row.system_disk_size = flavor.disk if flavor is not None else 0

    # ---- after the complete listing -----------------------------------------------

    def mark_deleted(self) -> int:
        """Ready rows the listing did not have were deleted outside the portal: mark them
        deleted and give back what they held. Rows changed since the sync began (an
        operation just ended, a server just made) are left for the next sync."""
        candidates = Server.objects.filter(
            cloud=self.cloud,
            status=Server.Status.READY,
            locked=False,
            backend_id__isnull=False,
            updated__lt=self.now,
        ).values_list("pk", "backend_id")
        gone = [pk for pk, backend_id in candidates if backend_id not in self.seen]
        marked = 0
        for start in range(0, len(gone), DELETED_CHUNK):
            marked += _mark_deleted(gone[start : start + DELETED_CHUNK], self.now)
        self.counts.missing += marked
        return marked


def _mark_deleted(server_pks, now) -> int:
    message = _("Deleted in the cloud outside the portal (found by the state sync).")
    with transaction.atomic():
        # Re-checked under the rows' locks: an operation may have begun meanwhile.
        pks = list(
            Server.objects.select_for_update(skip_locked=True)
            .filter(pk__in=server_pks, status=Server.Status.READY, locked=False)
            .values_list("pk", flat=True)
        )
        if not pks:
            return 0
        Server.objects.filter(pk__in=pks).update(
            status=Server.Status.DELETED,
            status_message=message,
            runtime_state="DELETED",
            power_state="",
            addresses={},
            synced_at=now,
            updated=timezone.now(),
        )
        # The cloud keeps a deleted server's data volumes, detached.
        Volume.objects.filter(server_id__in=pks).update(server=None, device="", status="available")
        QuotaReservation.objects.filter(
            server_id__in=pks, volume__isnull=True, state__in=QuotaReservation.HOLDING
        ).update(state=Holding.RELEASED)
    return len(pks)
