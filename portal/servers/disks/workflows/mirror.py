"""The disks' part of the state sync: the cloud's volumes mirrored into the `Volume` rows
(run after the servers', with the cloud's admin reading every project, page by page).

- rows the portal knows (by backend id) get the cloud's status, size, name, description,
  type, zone and attachment (server, device, when), written in bulk and only when changed
  (`CloudMirror`). Rows an operation holds (locked) or still being created by the portal
  are left alone: the operation's job writes them. A size changed behind the portal's back
  moves the tenant's gigabytes by the difference;
- volumes in a tenant's project that the portal does not know (made with the tenant's
  credentials outside the portal) become rows of origin `discovered`, holding a volume
  and their gigabytes in the tenant's quota. Not taken: volumes of projects of no tenant,
  the CD volumes of ISO mounts (portal/servers/cdrom), servers' system disks (bootable
  and attached: they belong to their server) and volumes still being made (their maker
  records them first; a known row in such a passing state waits for the next sync);

after the complete listing, rows the cloud no longer has were deleted behind the portal's
back: they are marked deleted and the quota they held is released. Rows locked or changed
since the sync began are left for the next sync.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.clouds.mirror import PAGE_SIZE, CloudMirror, pages
from portal.servers.cdrom.models import IsoMount
from portal.servers.disks.models import Volume
from portal.servers.disks.workflows.operations import cloud_fields, server_pks
from portal.tenants import quotas
from portal.tenants.models import QuotaReservation, TenantIdentity

Holding = QuotaReservation.State
DELETED_CHUNK = 500
# Volumes a maker (the portal's jobs, Nova building a server) has not finished: not
# discovered until they settle.
IN_THE_MAKING = ("creating", "downloading", "reserved", "attaching", "uploading")
NOT_AT_REST = ("creating", Volume.DELETED)


def sync_volumes(cloud, driver, *, page_size=PAGE_SIZE):
    """Reconcile the cloud's volumes (admin-scope `driver`) with the portal's rows;
    returns the counts."""
    mirror = VolumeMirror(cloud)
    for page in pages(driver.volumes.iter_volumes(page_size=page_size), page_size):
        mirror.upsert_volumes(page)
    mirror.mark_deleted()
    return mirror.counts


class VolumeMirror(CloudMirror):
    def __init__(self, cloud):
        super().__init__(Volume, cloud, on_create=self._complete_discovered)
        self.page_infos = {}
        self.tenant_of_project = {}
        self.sizes_before = {}

    def upsert_volumes(self, infos) -> None:
        """Upsert one page of `VolumeInfo`s. Queries: three to read (the page's tenants,
        CD volumes and servers), then `CloudMirror.upsert`'s."""
        self.seen.update(info.id for info in infos)
        self.page_infos = {info.id: info for info in infos}
        self.tenant_of_project = dict(
            TenantIdentity.objects.filter(
                cloud=self.cloud, project_id__in={info.project_id for info in infos}
            ).values_list("project_id", "tenant_id")
        )
        cd_volumes = set(
            IsoMount.objects.filter(volume_id__in=list(self.page_infos)).values_list(
                "volume_id", flat=True
            )
        )
        known = server_pks(self.cloud, {a.server_id for i in infos for a in i.attachments})
        page = {
            info.id: cloud_fields(info, known)
            for info in infos
            if info.project_id in self.tenant_of_project
            and info.id not in cd_volumes
            and not (info.bootable and info.attachments)
            and info.status not in IN_THE_MAKING
        }
        self.counts.read += len(infos) - len(page)  # upsert counts the page's own
        if page:
            self.upsert(page)

    # ---- CloudMirror's hooks ------------------------------------------------------

    def _insert(self, new):
        super()._insert(new)
        made = [row for row in new if self.page_infos[row.backend_id].created_at]
        for row in made:  # found by a sync: created when the cloud says
            row.created = self.page_infos[row.backend_id].created_at
        if made:
            Volume.objects.bulk_update(made, ["created"])
        QuotaReservation.objects.bulk_create(
            QuotaReservation(
                tenant_id=row.tenant_id, holder=row, state=Holding.COMMITTED, volumes=1,
                gigabytes=row.size,
            )
            for row in new
        )  # fmt: skip

    def _complete_discovered(self, rows) -> None:
        for row in rows:
            row.tenant_id = self.tenant_of_project[self.page_infos[row.backend_id].project_id]
            row.origin = Volume.Origin.DISCOVERED

    def _assign_keeping_secrets(self, rows, page):
        """Only rows at rest follow the cloud; an operation's job writes the others."""
        at_rest = {
            backend_id: row
            for backend_id, row in rows.items()
            if not row.locked and row.status not in NOT_AT_REST
        }
        self.sizes_before = {row.pk: row.size for row in at_rest.values()}
        return super()._assign_keeping_secrets(at_rest, {bid: page[bid] for bid in at_rest})

    def _update(self, changed, changed_fields):
        super()._update(changed, changed_fields)
        QuotaReservation.objects.bulk_create(
            QuotaReservation(
                tenant_id=row.tenant_id, holder=row, state=Holding.COMMITTED,
                gigabytes=row.size - self.sizes_before[row.pk],
            )
            for row in changed
            if row.size != self.sizes_before[row.pk]
        )  # fmt: skip

    # ---- after the complete listing -----------------------------------------------

    def mark_deleted(self) -> int:
        """Rows the listing did not have were deleted outside the portal: mark them
        deleted and give back what they held."""
        candidates = (
            Volume.objects.filter(
                cloud=self.cloud, locked=False, backend_id__isnull=False, updated__lt=self.now
            )
            .exclude(status__in=NOT_AT_REST)
            .values_list("pk", "backend_id")
        )
        gone = [pk for pk, backend_id in candidates if backend_id not in self.seen]
        marked = 0
        for start in range(0, len(gone), DELETED_CHUNK):
            marked += _mark_deleted(gone[start : start + DELETED_CHUNK], self.now)
        self.counts.missing += marked
        return marked


def _mark_deleted(volume_pks, now) -> int:
    message = _("Deleted in the cloud outside the portal (found by the state sync).")
    with transaction.atomic():
        # Re-checked under the rows' locks: an operation may have begun meanwhile.
        pks = list(
            Volume.objects.select_for_update(skip_locked=True)
            .filter(pk__in=volume_pks, locked=False)
            .exclude(status__in=NOT_AT_REST)
            .values_list("pk", flat=True)
        )
        Volume.objects.filter(pk__in=pks).update(
            status=Volume.DELETED, status_message=message, server=None, device="",
            attached_at=None, synced_at=now, updated=timezone.now(),
        )  # fmt: skip
        quotas.held_by(pks, kind=Volume).filter(state__in=QuotaReservation.HOLDING).update(
            state=Holding.RELEASED
        )
    return len(pks)
