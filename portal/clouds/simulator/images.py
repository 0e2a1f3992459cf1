"""Glance: image records, streamed uploads (only size and checksum are kept), lifecycle."""

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _

from portal.clouds.base import ImageInfo, ProgressCallback
from portal.clouds.formats import (
    CONTAINER_FORMATS,
    DISK_FORMATS,
    HEAD_BYTES,
    TAIL_BYTES,
    content_matches,
)
from portal.clouds.simulator import visibility as visible
from portal.clouds.simulator.faults import take_damage
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.refusals import bad_request, conflict
from portal.clouds.simulator.service import Kind, SimulatedService

CHUNK_SIZE = 1024 * 1024
GIB = 1024**3
VISIBILITIES = ("public", "private", "shared", "community")
# Fields update_image sets directly; any other keyword is an extra property, as in Glance.
UPDATABLE_FIELDS = ("name", "min_disk", "min_ram", "visibility", "protected")
FORMAT_FIELDS = ("disk_format", "container_format")  # changeable while queued only
READ_ONLY_FIELDS = ("id", "status", "size", "checksum", "owner", "created_at", "updated_at")


def image_info(image: SimulatedObject) -> ImageInfo:
    data = image.data
    return ImageInfo(
        id=image.backend_id,
        name=image.name,
        status=image.status,
        disk_format=data["disk_format"],
        container_format=data["container_format"],
        size=data.get("size"),
        checksum=data.get("checksum", ""),
        min_disk=data.get("min_disk", 0),
        min_ram=data.get("min_ram", 0),
        visibility=data.get("visibility", "public"),
        properties=dict(data.get("properties", {})),
        owner=image.project_id,
        created_at=image.created,
        updated_at=image.updated,
    )


@dataclass(frozen=True)
class ReceivedData:
    size: int
    md5: str
    head: bytes
    tail: bytes


def receive(data: BinaryIO, size: int, progress: ProgressCallback | None) -> ReceivedData:
    """Read `data` chunk by chunk, keeping only a checksum, its first and last bytes.

    Stops once more than `size` bytes arrived, so a too-long stream is not read to its end.
    """
    md5, head, tail, received = hashlib.md5(usedforsecurity=False), b"", b"", 0
    while received <= size:
        chunk = data.read(CHUNK_SIZE)
        if not chunk:
            break
        received += len(chunk)
        md5.update(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        tail = (tail + chunk[-TAIL_BYTES:])[-TAIL_BYTES:]
        if progress is not None:
            progress(received)
    return ReceivedData(received, md5.hexdigest(), head, tail)


class SimulatedImages(SimulatedService):
    group = "images"

    def iter_images(
        self, status: str | None = "active", page_size: int = 200
    ) -> Iterator[ImageInfo]:
        images = visible.images(self.scope)
        if status is not None:
            images = images.filter(status=status)
        last_pk = 0
        while True:
            page = list(images.filter(pk__gt=last_pk).order_by("pk")[:page_size])
            # Glance leaves hidden images (os_hidden: the ISOs the portal registers for CD
            # drives) out of listings; they are still found by id.
            yield from (image_info(image) for image in page if not _hidden(image))
            if len(page) < page_size:
                return
            last_pk = page[-1].pk

    def get_image(self, image_id: str) -> ImageInfo:
        return image_info(self._get(visible.images(self.scope), image_id, _("image")))

    def create_image(
        self,
        name: str,
        disk_format: str,
        container_format: str,
        *,
        min_disk: int = 0,
        min_ram: int = 0,
        visibility: str = "public",
        properties: dict | None = None,
    ) -> ImageInfo:
        self._check_formats(disk_format, container_format)
        self._check_visibility(visibility)
        data = {
            "disk_format": disk_format,
            "container_format": container_format,
            "min_disk": min_disk,
            "min_ram": min_ram,
            "visibility": visibility,
            "protected": False,
            "properties": dict(properties or {}),
        }
        return image_info(self._create(Kind.IMAGE, name=name, status="queued", data=data))

    def upload_image_data(
        self, image_id: str, data: BinaryIO, size: int, progress: ProgressCallback | None = None
    ) -> ImageInfo:
        image = self._start_saving(image_id)
        try:
            received = receive(data, size, progress)
            self._check_received(image, received, size)
        except BaseException:
            # Glance kills an image whose upload failed; it cannot be uploaded again.
            self._owned(Kind.IMAGE).filter(pk=image.pk).update(status="killed")
            raise
        checksum = received.md5
        if take_damage(self.cloud, "images.upload_image_data"):
            checksum = hashlib.md5(checksum.encode(), usedforsecurity=False).hexdigest()
        image.status = "active"
        image.data = {**image.data, "size": received.size, "checksum": checksum}
        image.save()
        return image_info(image)

    def update_image(self, image_id: str, **changes) -> ImageInfo:
        image = self._get(self._owned(Kind.IMAGE), image_id, _("image"))
        self._check_changes(image, changes)
        properties = dict(image.data.get("properties", {}))
        for key, value in changes.items():
            if key == "name":
                image.name = value
            elif key in UPDATABLE_FIELDS or key in FORMAT_FIELDS:
                image.data[key] = value
            elif key == "properties":
                properties.update(value)
            elif value is None:
                properties.pop(key, None)  # Glance's "remove" of an extra property
            else:
                properties[key] = value
        image.data["properties"] = properties
        image.save()
        return image_info(image)

    def deactivate_image(self, image_id: str) -> ImageInfo:
        return self._move(image_id, allowed_from=("active", "deactivated"), to="deactivated")

    def reactivate_image(self, image_id: str) -> ImageInfo:
        return self._move(image_id, allowed_from=("active", "deactivated"), to="active")

    def delete_image(self, image_id: str) -> None:
        image = self._get(self._owned(Kind.IMAGE), image_id, _("image"))
        if image.data.get("protected"):
            raise conflict(_("The image %(id)s is protected and cannot be deleted."), id=image_id)
        image.delete()

    # ---- helpers -------------------------------------------------------------------

    def _start_saving(self, image_id: str) -> SimulatedObject:
        images = self._owned(Kind.IMAGE)
        image = self._get(images, image_id, _("image"))
        # Conditional UPDATE: of two concurrent uploads only one moves it to "saving".
        if not images.filter(pk=image.pk, status="queued").update(status="saving"):
            raise conflict(
                _("Image data can be uploaded only to a queued image; %(id)s is %(status)s."),
                id=image_id,
                status=image.status,
            )
        image.status = "saving"
        return image

    def _check_received(self, image: SimulatedObject, received: ReceivedData, size: int):
        if received.size != size:
            raise bad_request(
                _("The upload was %(received)s bytes long instead of the %(size)s announced."),
                received=received.size,
                size=size,
            )
        disk_format = image.data["disk_format"]
        if not content_matches(disk_format, received.head, received.tail):
            raise bad_request(
                _("The image data is not in the declared disk format %(format)s."),
                format=disk_format,
            )

    def _move(self, image_id: str, *, allowed_from: tuple[str, ...], to: str) -> ImageInfo:
        image = self._get(self._owned(Kind.IMAGE), image_id, _("image"))
        if image.status not in allowed_from:
            raise conflict(
                _("The image %(id)s is %(status)s; it cannot become %(target)s."),
                id=image_id,
                status=image.status,
                target=to,
            )
        image.status = to
        image.save()
        return image_info(image)

    def _check_formats(self, disk_format: str, container_format: str) -> None:
        if disk_format not in DISK_FORMATS:
            raise bad_request(_("Unknown disk format %(format)s."), format=disk_format)
        if container_format not in CONTAINER_FORMATS:
            raise bad_request(_("Unknown container format %(format)s."), format=container_format)

    def _check_visibility(self, value: str) -> None:
        if value not in VISIBILITIES:
            raise bad_request(_("Unknown image visibility %(value)s."), value=value)
        if value == "public":
            self._require_admin(_("publish an image"))

    def _check_changes(self, image: SimulatedObject, changes: dict) -> None:
        read_only = sorted(set(changes) & set(READ_ONLY_FIELDS))
        if read_only:
            raise bad_request(_("Read-only image fields: %(fields)s."), fields=", ".join(read_only))
        if set(changes) & set(FORMAT_FIELDS):
            if image.status != "queued":
                raise conflict(_("The formats of an image can change only while it is queued."))
            self._check_formats(
                changes.get("disk_format", image.data["disk_format"]),
                changes.get("container_format", image.data["container_format"]),
            )
        if "visibility" in changes:
            self._check_visibility(changes["visibility"])


def mark_uploaded(image_id: str, cloud, *, size: int, checksum: str) -> None:
    """Make a queued image active as if its data had been uploaded (demo data: no bytes)."""
    image = SimulatedObject.objects.get(cloud=cloud, kind=Kind.IMAGE, backend_id=image_id)
    image.status = "active"
    image.data = {**image.data, "size": size, "checksum": checksum}
    image.save()


def check_volume_source(image: SimulatedObject, volume_size: int) -> None:
    """Refuse to make a `volume_size` GB volume from `image` unless the image is active and
    fits: at least its min_disk and its data size, as Cinder and Nova check."""
    if image.status != "active":
        raise bad_request(_("The image %(id)s is not active."), id=image.backend_id)
    data = image.data
    smallest = max(data.get("min_disk", 0), math.ceil((data.get("size") or 0) / GIB), 1)
    if volume_size < smallest:
        raise bad_request(
            _("A volume made from image %(image)s needs at least %(size)s GB."),
            image=image.name,
            size=smallest,
        )


def _hidden(image) -> bool:
    return bool(image.data.get("properties", {}).get("os_hidden"))
