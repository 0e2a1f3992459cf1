"""Page blobs in the cloud's storage account: the VHDs behind images, and their snapshots
and copies (seed 000: "volumes, images, snapshots, backups are page blobs").

A VHD Azure attaches is a page blob holding the disk's data, a whole number of MiB, then
the fixed-disk footer (vhd.py). Uploads stream with constant memory: Put Page at most
4 MiB at a time, straight from the source.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobClient, BlobProperties, ContainerClient
from django.utils.translation import gettext as _

from portal.clouds.azure import vhd
from portal.clouds.azure.errors import translate_errors
from portal.clouds.base import ProgressCallback
from portal.clouds.errors import CloudBadRequest
from portal.clouds.polling import wait_until

MIB = 1024 * 1024
# The most one Put Page request carries.
PAGE_CHUNK = 4 * MIB
SECTOR = vhd.SECTOR_SIZE


def vhd_data_size(raw_size: int) -> int:
    """The data part of the VHD of `raw_size` bytes: Azure attaches only whole MiB."""
    return -(-raw_size // MIB) * MIB


@dataclass(frozen=True)
class BlobRecord:
    name: str
    size: int
    metadata: dict = field(default_factory=dict)
    snapshot: str = ""  # the snapshot's time stamp; "" for the blob itself
    created_at: datetime | None = None
    last_modified: datetime | None = None
    copy_status: str = ""  # pending | success | aborted | failed, for a copy's target


def blob_record(properties: BlobProperties) -> BlobRecord:
    copy = properties.copy
    return BlobRecord(
        name=properties.name,
        size=properties.size,
        metadata=dict(properties.metadata or {}),
        snapshot=properties.snapshot or "",
        created_at=properties.creation_time,
        last_modified=properties.last_modified,
        copy_status=(copy.status or "") if copy else "",
    )


def _read_exactly(data: BinaryIO, amount: int) -> bytes:
    """`amount` bytes of `data`, fewer only at its end (a socket or pipe gives less per read)."""
    parts, wanted = [], amount
    while wanted:
        part = data.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


class PageBlobs:
    """The page blobs of one container of the cloud's storage account."""

    def __init__(self, session, container: str):
        self._session = session
        self.container_name = container

    @property
    def container(self) -> ContainerClient:
        return self._session.blobs.get_container_client(self.container_name)

    def _blob(self, name: str, snapshot: str = "") -> BlobClient:
        return self.container.get_blob_client(name, snapshot=snapshot or None)

    def ensure_container(self) -> None:
        """Make the container unless it exists (private: read with the account's key)."""
        with translate_errors("blob container create"), contextlib.suppress(ResourceExistsError):
            self.container.create_container()

    def url(self, name: str, snapshot: str = "") -> str:
        return self._blob(name, snapshot).url

    def properties(self, name: str, snapshot: str = "") -> BlobRecord:
        with translate_errors("blob read"):
            return blob_record(self._blob(name, snapshot).get_blob_properties())

    def iter_blobs(self, prefix: str = "") -> Iterator[BlobRecord]:
        """The container's blobs (not their snapshots), with their metadata."""
        with translate_errors("blob list"):
            listing = self.container.list_blobs(name_starts_with=prefix or None, include="metadata")
            for item in listing:
                yield blob_record(item)

    def read(self, name: str, offset: int, length: int, snapshot: str = "") -> bytes:
        with translate_errors("blob read"):
            stream = self._blob(name, snapshot).download_blob(offset=offset, length=length)
            return stream.readall()

    def create(self, name: str, size: int, metadata: dict) -> BlobRecord:
        """A page blob of `size` bytes (a multiple of 512), all zeros; replaces one of that name."""
        with translate_errors("page blob create"):
            self._blob(name).create_page_blob(size, metadata=metadata)
        return self.properties(name)

    def set_metadata(self, name: str, metadata: dict) -> BlobRecord:
        with translate_errors("blob metadata"):
            self._blob(name).set_blob_metadata(metadata)
        return self.properties(name)

    def upload_disk(
        self,
        name: str,
        data: BinaryIO,
        size: int,
        metadata: dict,
        progress: ProgressCallback | None = None,
    ) -> BlobRecord:
        """`size` bytes of a raw disk as a fixed VHD: the data, zeros up to a whole MiB,
        then a new footer."""
        if size <= 0:
            raise CloudBadRequest(_("An image needs data: 0 bytes were announced."))
        data_size = vhd_data_size(size)
        blob = self._blob(name)
        with translate_errors("page blob upload"):
            blob.create_page_blob(data_size + SECTOR, metadata=metadata)
            self._upload_pages(blob, data, size, progress)
            blob.upload_page(vhd.fixed_footer(data_size), offset=data_size, length=SECTOR)
        return self.properties(name)

    def upload_vhd(
        self,
        name: str,
        data: BinaryIO,
        size: int,
        metadata: dict,
        progress: ProgressCallback | None = None,
    ) -> BlobRecord:
        """`size` bytes of a fixed VHD, stored as they are once its footer proves it one
        Azure attaches. A refused upload leaves the blob empty, its metadata kept."""
        if size < MIB + SECTOR or size % SECTOR:
            raise CloudBadRequest(
                _("A VHD of %(size)d bytes cannot be a fixed VHD Azure attaches.") % {"size": size}
            )
        blob = self._blob(name)
        with translate_errors("page blob upload"):
            blob.create_page_blob(size, metadata=metadata)
            tail = self._upload_pages(blob, data, size, progress)
            problem = vhd_problem(tail, size)
            if problem:
                blob.resize_blob(0)
        if problem:
            raise CloudBadRequest(problem)
        return self.properties(name)

    def _upload_pages(
        self, blob: BlobClient, data: BinaryIO, size: int, progress: ProgressCallback | None
    ) -> bytes:
        """Put `size` bytes of `data` from offset 0, the last chunk padded with zeros to a
        whole sector; returns the last 512 bytes sent. Pages of zeros are not sent: a new
        page blob reads as zeros already."""
        sent, tail = 0, b""
        while sent < size:
            chunk = _read_exactly(data, min(PAGE_CHUNK, size - sent))
            if not chunk:
                raise CloudBadRequest(
                    _("The data ended after %(sent)d of %(size)d bytes.")
                    % {"sent": sent, "size": size}
                )
            pages = chunk + bytes(-len(chunk) % SECTOR)
            if pages.count(0) != len(pages):
                blob.upload_page(pages, offset=sent, length=len(pages))
            sent += len(chunk)
            tail = (tail + chunk)[-SECTOR:]
            if progress is not None:
                progress(sent)
        return tail

    def snapshot(self, name: str) -> BlobRecord:
        """A read-only snapshot of the blob as it is now."""
        with translate_errors("blob snapshot"):
            made = self._blob(name).create_snapshot()
        return self.properties(name, snapshot=made["snapshot"])

    def copy(self, source: str, target: str, *, snapshot: str = "") -> BlobRecord:
        """A new blob `target` copied by the service from `source` (or its snapshot) in
        this account, waited for (up to the cloud's `wait_seconds`); a copy Azure reports
        failed or aborted is an error."""
        with translate_errors("blob copy"):
            self._blob(target).start_copy_from_url(self.url(source, snapshot))
        done = wait_until(
            lambda: self.properties(target),
            lambda record: record.copy_status != "pending",
            what=_("the copy of blob %(name)s") % {"name": source},
            cloud=self._session.cloud,
        )
        if done.copy_status != "success":
            raise CloudBadRequest(
                _("Azure could not copy the blob %(name)s (%(status)s).")
                % {"name": source, "status": done.copy_status}
            )
        return done

    def delete(self, name: str, *, missing_ok: bool = False) -> None:
        """Delete the blob with its snapshots."""
        with translate_errors("blob delete"):
            try:
                self._blob(name).delete_blob(delete_snapshots="include")
            except ResourceNotFoundError:
                if not missing_ok:
                    raise


def vhd_problem(tail: bytes, size: int) -> str:
    """Why the VHD of `size` bytes ending in `tail` is not one Azure attaches, or ""."""
    try:
        footer = vhd.parse(tail)
    except vhd.InvalidFooter:
        return _("The data does not end in a VHD footer.")
    if not footer.is_fixed:
        return _("Azure attaches only fixed-size VHDs; convert a dynamic VHD to a fixed one.")
    if footer.current_size != size - SECTOR or footer.current_size % MIB:
        return _(
            "The VHD's footer gives a size of %(size)d bytes; Azure needs the data before "
            "the footer to be that long and a whole number of MiB."
        ) % {"size": footer.current_size}
    return ""
