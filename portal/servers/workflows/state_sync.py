"""The servers' state sync: the portal's server rows brought in step with
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
  them yet (their metadata names a `creating` row without a backend id);
- servers left by a failed create (its cleanup failed: the cloud was down, or the worker
  died mid-create and the stuck-task janitor failed the row) are found by backend id, or
  by the metadata naming a `failed` row, whose backend id is then recorded. Their
  runtime status, power state, addresses and host are mirrored, so an administrator
  sees the leftover;

after the complete listing, ready rows the cloud no longer has were deleted behind the
portal's back: they are marked deleted, their data disks detached in the portal's books
(the cloud keeps them), and the quota the server held is released. Then each failed row
with a leftover (its server listed, or data disks not seen deleted) gets one
"server.cleanup" Task (in the server's task history) that deletes them; it holds the
row's lock while it runs, and a failed cleanup is retried by the next sync. Rows locked
or changed since the sync began are left for the next sync.

Last, the volumes are mirrored (portal/servers/disks/workflows/mirror.py), so the
tenants' cloud disks, made in the portal or not, follow the cloud too.

The quota: a failed create gave back everything it reserved, and its leftovers hold
nothing in the portal while they wait for their cleanup (queued without anyone asking,
so the cloud's quota is freed soon after); the row stays `failed`, with a message saying
what was removed.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.clouds.mirror import PAGE_SIZE, CloudMirror, SyncCounts, pages
from portal.core.services import enqueue
from portal.network.models import Network
from portal.servers.disks.models import Volume
from portal.servers.disks.workflows.mirror import sync_volumes
from portal.servers.locking import CLEANUP_KIND, new_server_task
from portal.servers.models import Flavor, Server
from portal.servers.task_messages import SyncMessages as M
from portal.servers.workflows.recording import METADATA_KEY
from portal.tenants import quotas
from portal.tenants.models import QuotaReservation, TenantIdentity

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
# What is mirrored onto a failed row: enough to see the leftover (its flavor holds no quota).
LEFTOVER_FIELDS = ("runtime_state", "power_state", "addresses", "hypervisor_hostname")
CLEANUP_ACTOR = "system:state-sync"
Holding = QuotaReservation.State
Status = Server.Status


@dataclass
class ServerSyncCounts(SyncCounts):
    cleanups: int = 0  # failed creates whose leftovers' removal was queued
    disks: SyncCounts = field(default_factory=SyncCounts)  # the volumes' mirror

    def message(self):
        counts = super().message()
        if self.cleanups:
            counts = M.CLEANUPS(counts=counts, count=self.cleanups)
        return M.WITH_DISKS(counts=counts, disks=self.disks.message())


def sync_servers(cloud, driver, progress=None, *, page_size=PAGE_SIZE) -> SyncCounts:
    """Reconcile the cloud's servers (admin-scope `driver`) with the portal's rows."""
    mirror = ServerMirror(cloud)
    listing = driver.compute.iter_servers(page_size=page_size)
    for page in pages(listing, page_size):
        mirror.upsert_servers(page)
        if progress:
            progress(50, M.READ(count=mirror.counts.read))
    mirror.mark_deleted()
    mirror.queue_cleanups()
    # Then the volumes: their attachments name the servers mirrored above.
    mirror.counts.disks = sync_volumes(cloud, driver, page_size=page_size)
    return mirror.counts


class ServerMirror(CloudMirror):
    """`CloudMirror` for servers: only rows at rest are written, discovered servers get a
    tenant and quota, and vanished ones are marked deleted instead of missing."""

    def __init__(self, cloud):
        super().__init__(Server, cloud, on_create=self._complete_discovered)
        self.flavors = {flavor.backend_id: flavor for flavor in Flavor.objects.filter(cloud=cloud)}
        self.network_ids = network_ids_by_name(cloud)
        self.page_infos = {}
        self.tenant_of_project = {}
        self.sizes_before = {}
        self.counts = ServerSyncCounts()
        self.leftovers = set()  # pks of failed rows whose server the listing had

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
        create job died between asking and recording; its redelivery finds them). Those
        of failed rows are leftovers instead: their backend ids are recorded, so they are
        mirrored and cleaned up, and they are not among the ids returned."""
        by_instance = {
            info.metadata[METADATA_KEY]: info.id
            for info in infos
            if info.metadata.get(METADATA_KEY)
        }
        if not by_instance:
            return set()
        waiting = dict(
            Server.objects.filter(
                instance_id__in=list(by_instance), backend_id__isnull=True
            ).values_list("instance_id", "status")
        )
        failed = {i: by_instance[i] for i, status in waiting.items() if status == Status.FAILED}
        recorded = self._record_leftovers(failed) if failed else set()
        return {by_instance[instance_id] for instance_id in waiting} - recorded

    def _record_leftovers(self, cloud_id_of: dict[str, str]) -> set[str]:
        """Give failed rows (by instance id) the backend id of the server their create
        left; returns the cloud ids recorded. Rows an operation holds (or deletes
        meanwhile) get none."""
        with transaction.atomic():
            rows = list(
                Server.objects.select_for_update(skip_locked=True)
                .filter(
                    cloud=self.cloud,
                    instance_id__in=list(cloud_id_of),
                    status=Status.FAILED,
                    locked=False,
                    backend_id__isnull=True,
                    updated__lte=self.now,
                )
                .only("pk", "instance_id")
            )
            for row in rows:
                row.backend_id, row.updated = cloud_id_of[row.instance_id], self.now
            Server.objects.bulk_update(rows, ["backend_id", "updated"])
        return {row.backend_id for row in rows}

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

    def _assign_keeping_secrets(self, rows, page):
        """Only rows at rest follow the cloud; a portal operation owns the others. Failed
        rows (leftovers of their create) get only the fields that show the leftover; one
        failed since the sync began is left for the next sync."""
        at_rest = {
            backend_id: row
            for backend_id, row in rows.items()
            if not row.locked
            and (
                row.status == Status.READY
                or (row.status == Status.FAILED and row.updated <= self.now)
            )
        }
        leftovers = {bid for bid, row in at_rest.items() if row.status == Status.FAILED}
        self.leftovers.update(at_rest[bid].pk for bid in leftovers)
        fields = {
            bid: {name: page[bid][name] for name in LEFTOVER_FIELDS} if bid in leftovers
            else page[bid]
            for bid in at_rest
        }  # fmt: skip
        self.sizes_before = {row.pk: (row.vcpus, row.ram) for row in at_rest.values()}
        return super()._assign_keeping_secrets(at_rest, fields)

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
                        holder=row,
                        state=Holding.COMMITTED,
                        cores=row.vcpus - vcpus,
                        ram=row.ram - ram,
                    )
                )
        return deltas

    def _insert(self, new):
        super()._insert(new)
        self._keep_cloud_creation_times(new)
        QuotaReservation.objects.bulk_create(
            QuotaReservation(
                tenant_id=row.tenant_id,
                holder=row,
                state=Holding.COMMITTED,
                instances=1,
                cores=row.vcpus,
                ram=row.ram,
            )
            for row in new
        )

    def _keep_cloud_creation_times(self, rows) -> None:
        """A discovered server was created when the cloud says, not when the sync found it
        (`created` is set on insert, so it is written after: one UPDATE per page)."""
        made = [row for row in rows if self.page_infos[row.backend_id].created_at]
        for row in made:
            row.created = self.page_infos[row.backend_id].created_at
        if made:
            Server.objects.bulk_update(made, ["created"])

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
            network = next(iter(info.addresses), "")  # addresses are keyed by network name
            row.network_id = self.network_ids.get(
                (info.project_id, network), self.network_ids.get(("", network), "")
            )
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
            status=Status.READY,
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

    def queue_cleanups(self) -> int:
        """Queue one "server.cleanup" Task per failed row with a leftover: its server was
        listed, or data disks made for it were not seen deleted. Call after a complete
        listing. Rows locked (a cleanup or a deletion runs) or changed since the sync
        began (this sync's own writes are stamped with its start) are left alone."""
        volumes_left = Volume.objects.filter(server=OuterRef("pk")).in_cloud()
        candidates = list(
            Server.objects.filter(
                cloud=self.cloud, status=Status.FAILED, locked=False, updated__lte=self.now
            )
            .filter(Q(pk__in=self.leftovers) | Q(Exists(volumes_left)))
            .values_list("pk", flat=True)
        )
        queued = sum(_queue_cleanup(pk, self.now) for pk in candidates)
        self.counts.cleanups += queued
        return queued


def _queue_cleanup(server_pk, now) -> bool:
    """Lock the failed row (a conditional UPDATE: never a row taken meanwhile) and queue
    its cleanup; the job unlocks it when it ends."""
    with transaction.atomic():
        taken = Server.objects.filter(
            pk=server_pk, status=Status.FAILED, locked=False, updated__lte=now
        ).update(locked=True, updated=timezone.now())
        if not taken:
            return False
        server = Server.objects.select_related("tenant").get(pk=server_pk)
        task = new_server_task(server, CLEANUP_KIND, CLEANUP_ACTOR)
        enqueue(task, "portal.servers.tasks.remove_leftovers")
    return True


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
        Volume.objects.filter(server_id__in=pks).update(
            server=None, device="", attached_at=None, status="available"
        )
        quotas.held_by(pks, kind=Server).filter(state__in=QuotaReservation.HOLDING).update(
            state=Holding.RELEASED
        )
    return len(pks)


def network_ids_by_name(cloud) -> dict[tuple[str, str], str]:
    """(project id, network name) -> network id, and ("", name) for shared networks: a
    server's addresses name its networks, the row keeps the id."""
    ids = {}
    rows = Network.objects.filter(cloud=cloud, missing_since__isnull=True).values_list(
        "project_id", "name", "backend_id", "shared"
    )
    for project_id, name, backend_id, shared in rows:
        ids[(project_id, name)] = backend_id
        if shared:
            ids.setdefault(("", name), backend_id)
    return ids
