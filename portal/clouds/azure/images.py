"""The driver's images on Azure (ImageAPI): uploads become VHD page blobs in the cloud's
storage account and ARM managed images made from them; operators' image mappings
(marketplace images, images made outside the portal) are listed beside them.

Glance keeps an image record before its data; Azure has no such thing. So `create_image`
records the queued image as a zero-length page blob `<id>.vhd` in the container
"portal-images", its portal fields in the blob's metadata; the upload fills that blob
(resizing it) and then the ARM image `<id>` is made from it. An image is thus the blob
alone while queued or saving, and the blob with its ARM image once active. The ARM image is
tagged `portal-image: <id>` so that the portal tells its images from others in the
resource group.
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import quote, unquote

from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.compute.models import Image, ImageOSDisk, ImageStorageProfile
from django.utils.translation import gettext as _

from portal.clouds.azure.blobs import BlobRecord, PageBlobs
from portal.clouds.azure.errors import translate_errors
from portal.clouds.azure.mappings import Kind, is_disk_ref
from portal.clouds.azure.scope import AzureScope, finish, last_segment, resource_group_of
from portal.clouds.base import ImageInfo, ProgressCallback
from portal.clouds.errors import CloudBadRequest, CloudConflict, CloudError, CloudNotFound

logger = logging.getLogger("portal.clouds.azure")

CONTAINER = "portal-images"
IMAGE_PREFIX = "img-"
TAG = "portal-image"
NAME_TAG = "portal-name"  # for people reading the resource group in Azure's own portal
METADATA_KEY = "portal"
# The disk formats an upload can be: raw data gets a VHD footer, a VHD is taken as it is.
UPLOAD_FORMATS = ("raw", "vhd")
OS_TYPES = {"linux": "Linux", "windows": "Windows"}
# ARM's provisioning states of an image, as Glance's statuses.
STATUS_OF_STATE = {
    "Succeeded": "active",
    "Creating": "saving",
    "Updating": "saving",
    "Failed": "killed",
    "Canceled": "killed",
    "Deleting": "deleted",
}


def _encode(fields: dict) -> dict:
    """Blob metadata holds ASCII only: the fields as percent-encoded JSON."""
    return {METADATA_KEY: quote(json.dumps(fields, ensure_ascii=False, sort_keys=True))}


def _decode(record: BlobRecord) -> dict:
    return json.loads(unquote(record.metadata.get(METADATA_KEY, "{}")))


def is_resource_id(reference: str) -> bool:
    return reference.lower().startswith("/subscriptions/")


class AzureImages:
    """The images section of the Azure driver. Uploaded images are the cloud's, whatever
    the scope: they live in the cloud's resource group and storage account, where the
    compute section looks for them."""

    def __init__(self, scope: AzureScope):
        self.scope = scope
        self.resource_group = scope.cloud.azure_resource_group
        self.blobs = PageBlobs(scope.session, CONTAINER)

    @property
    def _images(self):
        return self.scope.compute.images

    # ---- reading -----------------------------------------------------------------

    def iter_images(
        self, status: str | None = "active", page_size: int = 200
    ) -> Iterator[ImageInfo]:
        """The portal's images (ARM pages itself: `page_size` is not Azure's to choose),
        then the image mappings."""
        records = {record.name.removesuffix(".vhd"): record for record in self._iter_records()}
        with translate_errors("images list"):
            arm_images = {
                image.name: image
                for image in self._images.list_by_resource_group(self.resource_group)
                if (image.tags or {}).get(TAG) == image.name
            }
        for image_id in sorted(records.keys() | arm_images.keys()):
            info = self._info(image_id, records.get(image_id), arm_images.get(image_id))
            if status is None or info.status == status:
                yield info
        for name, reference in sorted(self._mappings().items()):
            try:
                info = self._mapped_info(name, reference)
            except CloudNotFound:  # logged: a mapping to an image gone is not offered
                continue
            if status is None or info.status == status:
                yield info

    def _iter_records(self) -> Iterator[BlobRecord]:
        try:
            yield from self.blobs.iter_blobs(prefix=IMAGE_PREFIX)
        except CloudNotFound:  # no container yet: no upload was ever made
            return

    def get_image(self, image_id: str) -> ImageInfo:
        reference = self._mappings().get(image_id)
        if reference is not None:
            return self._mapped_info(image_id, reference)
        record = self._record(image_id)
        arm_image = self._arm_image(image_id)
        if arm_image is not None and (arm_image.tags or {}).get(TAG) != image_id:
            arm_image = None  # an image of the resource group that is not the portal's
        return self._info(image_id, record, arm_image)

    def _record(self, image_id: str) -> BlobRecord | None:
        if not image_id.startswith(IMAGE_PREFIX):
            return None
        try:
            return self.blobs.properties(f"{image_id}.vhd")
        except CloudNotFound:
            return None

    def _arm_image(self, image_id: str, resource_group: str = ""):
        with translate_errors("image read"):
            try:
                return self._images.get(resource_group or self.resource_group, image_id)
            except ResourceNotFoundError:
                return None

    def _info(self, image_id: str, record: BlobRecord | None, arm_image) -> ImageInfo:
        if record is None and arm_image is None:
            raise CloudNotFound(
                _("The image %(id)s does not exist in the cloud.") % {"id": image_id}
            )
        fields = _decode(record) if record is not None else {}
        properties = dict(fields.get("properties") or {})
        status = fields.get("status", "queued")
        if arm_image is not None:
            status = STATUS_OF_STATE.get(arm_image.provisioning_state, "saving")
            os_disk = arm_image.storage_profile.os_disk
            properties["os_type"] = (os_disk.os_type or "").lower()
        return ImageInfo(
            id=image_id,
            name=fields.get("name") or (arm_image.tags or {}).get(NAME_TAG, image_id),
            status=status,
            disk_format=fields.get("disk_format", "vhd"),
            container_format=fields.get("container_format", "bare"),
            size=(record.size or None) if record is not None else None,
            min_disk=fields.get("min_disk", 0),
            min_ram=fields.get("min_ram", 0),
            visibility=fields.get("visibility", "public"),
            properties=properties,
            created_at=record.created_at if record is not None else None,
            updated_at=record.last_modified if record is not None else None,
            # Recorded with the data: a raw disk's blob is longer (whole MiB, a footer).
            data_size=fields.get("data_size"),
        )

    def _mappings(self) -> dict[str, str]:
        return self.scope.mappings.of_kind(Kind.IMAGE)

    def _mapped_info(self, name: str, reference: str) -> ImageInfo:
        """An operator's image mapping: an ARM image read where it is one (so a mapping to
        an image that is gone is not offered), a marketplace image as it is written. A
        managed disk (booted from as it is) is read too: its size is the image's least
        system disk, which is the size a server made from it records."""
        properties = {"azure_ref": reference}
        status = "active"
        min_disk = 0
        if is_disk_ref(reference):
            disk = self._mapped_disk(name, reference)
            properties["os_type"] = (disk.os_type or "").lower()
            min_disk = disk.disk_size_gb or 0
        elif is_resource_id(reference):
            arm_image = self._arm_image(last_segment(reference), resource_group_of(reference))
            if arm_image is None:
                logger.warning("The image mapping %s names a missing image %s", name, reference)
                raise CloudNotFound(
                    _("The image %(id)s does not exist in the cloud.") % {"id": name}
                )
            status = STATUS_OF_STATE.get(arm_image.provisioning_state, "saving")
            properties["os_type"] = (arm_image.storage_profile.os_disk.os_type or "").lower()
        return ImageInfo(
            id=name,
            name=name,
            status=status,
            disk_format="vhd",
            container_format="bare",
            min_disk=min_disk,
            properties=properties,
        )

    def _mapped_disk(self, name: str, reference: str):
        try:
            with translate_errors("disk read"):
                return self.scope.compute.disks.get(
                    resource_group_of(reference), last_segment(reference)
                )
        except CloudNotFound:
            logger.warning("The image mapping %s names a missing disk %s", name, reference)
            raise

    # ---- writing -----------------------------------------------------------------

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
        _check_disk_format(disk_format)
        _os_type(properties or {})
        image_id = f"{IMAGE_PREFIX}{uuid.uuid4().hex}"
        fields = {
            "name": name,
            "disk_format": disk_format,
            "container_format": container_format,
            "min_disk": min_disk,
            "min_ram": min_ram,
            "visibility": visibility,
            "properties": dict(properties or {}),
            "status": "queued",
        }
        self.blobs.ensure_container()
        record = self.blobs.create(f"{image_id}.vhd", 0, _encode(fields))
        return self._info(image_id, record, None)

    def upload_image_data(
        self, image_id: str, data: BinaryIO, size: int, progress: ProgressCallback | None = None
    ) -> ImageInfo:
        """Stream the data into the image's page blob (raw data gets a VHD footer), then make
        the ARM image from it."""
        blob_name = f"{image_id}.vhd"
        record = self._record(image_id)
        if record is None:
            raise CloudNotFound(
                _("The image %(id)s does not exist in the cloud.") % {"id": image_id}
            )
        fields = _decode(record)
        if fields.get("status") != "queued":
            raise CloudConflict(
                _("The image %(id)s has data already; upload to a new image.") % {"id": image_id}
            )
        disk_format = fields["disk_format"]
        _check_disk_format(disk_format)
        upload = self.blobs.upload_vhd if disk_format == "vhd" else self.blobs.upload_disk
        try:
            saving = fields | {"status": "saving", "data_size": size}
            upload(blob_name, data, size, _encode(saving), progress)
        except Exception:  # the cloud's refusal, or the source's read failing
            # Back to an empty queued record, so that the upload may be tried again.
            with contextlib.suppress(CloudError):
                self.blobs.create(blob_name, 0, _encode(fields))
            raise
        try:
            self._make_arm_image(image_id, fields)
        except CloudError:
            with contextlib.suppress(CloudError):
                self.blobs.set_metadata(blob_name, _encode(fields | {"status": "killed"}))
            raise
        return self.get_image(image_id)

    def _make_arm_image(self, image_id: str, fields: dict) -> None:
        image = Image(
            location=self.scope.location,
            tags={TAG: image_id, NAME_TAG: fields["name"][:256]},
            storage_profile=ImageStorageProfile(
                os_disk=ImageOSDisk(
                    os_type=_os_type(fields.get("properties") or {}),
                    os_state="Generalized",
                    blob_uri=self.blobs.url(f"{image_id}.vhd"),
                )
            ),
        )
        with translate_errors("image create"):
            finish(
                self._images.begin_create_or_update(self.resource_group, image_id, image),
                self.scope.cloud,
            )

    def delete_image(self, image_id: str) -> None:
        """The ARM image, then its page blob; what is gone already is no error."""
        if image_id in self._mappings():
            raise CloudBadRequest(
                _(
                    "The image %(id)s is an image mapping of the cloud: operators remove it "
                    "in the cloud's mappings; Azure's image is not the portal's to delete."
                )
                % {"id": image_id}
            )
        # ARM answers 204 where there is no such image.
        with translate_errors("image delete"):
            finish(self._images.begin_delete(self.resource_group, image_id), self.scope.cloud)
        self.blobs.delete(f"{image_id}.vhd", missing_ok=True)

    def update_image(self, image_id: str, **changes) -> ImageInfo:
        raise CloudBadRequest(
            _("Azure images cannot be changed once made; upload a new image instead.")
        )

    def deactivate_image(self, image_id: str) -> ImageInfo:
        raise CloudBadRequest(_("Azure images cannot be deactivated: they have no such state."))

    def reactivate_image(self, image_id: str) -> ImageInfo:
        raise CloudBadRequest(_("Azure images cannot be reactivated: they have no such state."))


def _check_disk_format(disk_format: str) -> None:
    if disk_format not in UPLOAD_FORMATS:
        raise CloudBadRequest(
            _(
                "Azure takes images as fixed VHDs: upload raw or vhd data, not %(format)s "
                "(convert it with qemu-img first)."
            )
            % {"format": disk_format}
        )


def _os_type(properties: dict) -> str:
    os_type = str(properties.get("os_type") or "linux").lower()
    if os_type not in OS_TYPES:
        raise CloudBadRequest(
            _("Azure images are of os_type linux or windows, not %(os_type)s.")
            % {"os_type": os_type}
        )
    return OS_TYPES[os_type]
