"""Mirroring a cloud's objects (flavors, images, ISOs, servers...) into tables: the
worker side of a pull job (portal.clouds.sync has the request side and the schedule).

A sync function reads the cloud page by page and hands each page, already mapped to field
values, to `CloudMirror.upsert`; after a complete listing it calls `CloudMirror.mark_missing`.

`CloudMirror` compares in Python and writes only rows whose fields changed, in bulk, so a
page costs a constant number of queries and an unchanged cloud costs no write at all.
Rows are matched by `backend_id` and never deleted: a server or a template may still
reference a row the cloud no longer lists, so it is only marked missing.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal.clouds.task_messages import CloudMessages
from portal.core.models import CloudResourceModel

PAGE_SIZE = 200
# Rows marked missing per UPDATE (keeps the statement's parameter list bounded).
MISSING_CHUNK = 500


class MirroredModel(CloudResourceModel):
    """A `CloudResourceModel` kept in step with the cloud by a pull job.

    `missing_since` is set when the cloud stopped listing the object and cleared when it
    lists it again. `synced_at` is when a pull last wrote the row, i.e. when the cloud's
    copy last changed (an unchanged row is not written, so it is not "last seen").
    """

    missing_since = models.DateTimeField(gettext_lazy("missing since"), null=True, blank=True)
    synced_at = models.DateTimeField(gettext_lazy("synced at"), null=True, blank=True)

    class Meta(CloudResourceModel.Meta):
        abstract = True

    @property
    def is_missing(self):
        return self.missing_since is not None


@dataclass
class SyncCounts:
    read: int = 0
    created: int = 0
    updated: int = 0
    missing: int = 0

    def __add__(self, other: "SyncCounts") -> "SyncCounts":
        return SyncCounts(*(getattr(self, name) + getattr(other, name) for name in vars(self)))

    def message(self):
        """What the pull did, as a task message."""
        return CloudMessages.COUNTS(
            read=self.read, created=self.created, updated=self.updated, missing=self.missing
        )

    def __str__(self):
        return str(self.message())


def pages(items: Iterable, size: int | None = None) -> Iterator[list]:
    """`items` in lists of `size` (default PAGE_SIZE; the last one shorter), consuming an
    iterator lazily."""
    size = size or PAGE_SIZE
    iterator = iter(items)
    while page := list(islice(iterator, size)):
        yield page


class CloudMirror:
    """Upserts pages of one cloud's objects into `model` (a `MirroredModel`).

    `on_create(rows)` may adjust new rows before they are inserted (e.g. give them a
    public id); it runs once per page with new rows.
    """

    def __init__(self, model, cloud, *, on_create: Callable[[list], None] | None = None):
        self.model = model
        self.cloud = cloud
        self.on_create = on_create
        self.now = timezone.now()
        self.seen: set[str] = set()
        self.counts = SyncCounts()

    def upsert(self, page: dict[str, dict]) -> dict[str, models.Model]:
        """Write one page `{backend_id: {field: value}}`; returns its rows by backend id.

        Queries: one SELECT, then at most one INSERT and one UPDATE (bulk), whatever the
        page's size. Values must be of the types the fields hold (compared with `!=`).
        """
        rows = {row.backend_id: row for row in self.existing_rows(list(page))}
        new = [self._new_row(bid, values) for bid, values in page.items() if bid not in rows]
        changed, changed_fields = self._assign_keeping_secrets(rows, page)
        if new or changed:
            with transaction.atomic():
                self._insert(new)
                self._update(changed, changed_fields)
        rows.update((row.backend_id, row) for row in new)
        self.seen.update(page)
        self.counts.read += len(page)
        self.counts.created += len(new)
        self.counts.updated += len(changed)
        return rows

    def existing_rows(self, backend_ids: list[str]) -> models.QuerySet:
        """The rows of these backend ids (a subclass may load fewer columns)."""
        return self.model.objects.filter(cloud=self.cloud, backend_id__in=backend_ids)

    def mark_missing(self, scope: models.QuerySet | None = None) -> int:
        """Mark rows this pull did not see; call only after a complete listing.

        `scope` narrows the rows that may go missing (e.g. leave out uploads the cloud
        does not list yet). Rows without a backend id are never in the cloud's listing.
        """
        scope = self.model.objects.all() if scope is None else scope
        present = scope.filter(
            cloud=self.cloud, backend_id__isnull=False, missing_since__isnull=True
        ).values_list("pk", "backend_id")
        gone = [pk for pk, backend_id in present if backend_id not in self.seen]
        for start in range(0, len(gone), MISSING_CHUNK):
            chunk = gone[start : start + MISSING_CHUNK]
            self.model.objects.filter(pk__in=chunk).update(missing_since=self.now, updated=self.now)
        self.counts.missing += len(gone)
        return len(gone)

    def _new_row(self, backend_id, values):
        return self.model(cloud=self.cloud, backend_id=backend_id, synced_at=self.now, **values)

    def _insert(self, new):
        if not new:
            return
        if self.on_create is not None:
            self.on_create(new)
        self.model.objects.bulk_create(new)

    def _update(self, changed, changed_fields):
        if changed:
            fields = sorted(changed_fields | {"synced_at", "updated"})
            self.model.objects.bulk_update(changed, fields)

    def _assign_keeping_secrets(self, rows, page):
        """Set changed values on existing rows; returns (changed rows, changed field names)."""
        changed, changed_fields = [], set()
        for backend_id, row in rows.items():
            diff = {
                name: value
                for name, value in page[backend_id].items()
                if getattr(row, name) != value
            }
            # Models that record a vanished object otherwise (e.g. servers) have no flag.
            if getattr(row, "missing_since", None) is not None:
                diff["missing_since"] = None  # it is back
            if not diff:
                continue
            for name, value in diff.items():
                setattr(row, name, value)
            row.synced_at = row.updated = self.now  # bulk_update skips auto_now
            changed.append(row)
            changed_fields.update(diff)
        return changed, changed_fields
