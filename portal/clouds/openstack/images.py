"""Glance v2: image records, streamed data upload, (de)activation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from openstack import exceptions as sdk_exc
from openstack import utils
from openstack.image.v2.image import Image

from portal.clouds.base import ImageInfo, ProgressCallback
from portal.clouds.openstack.resource import ResourceAPI, parse_time
from portal.clouds.openstack.upload import ProgressBody

# Glance's own fields; every other top-level key of an image is a custom property.
CORE_FIELDS = frozenset(
    {
        "id", "name", "status", "disk_format", "container_format", "size", "virtual_size",
        "checksum", "os_hash_algo", "os_hash_value", "min_disk", "min_ram", "visibility",
        "protected", "os_hidden", "owner", "created_at", "updated_at", "tags", "file",
        "schema", "self", "direct_url", "locations", "stores", "properties", "location",
    }
)  # fmt: skip


JSON_PATCH = "application/openstack-images-v2.1-json-patch"


def _fields(image: Image) -> dict:
    """The image as Glance sent it: top-level keys with their values."""
    body = image.to_dict(computed=False, headers=False, ignore_none=True, original_names=True)
    # Keys the SDK does not know are kept in `properties` (_store_unknown_attrs_as_properties).
    return {**body, **(body.pop("properties", None) or {})}


def _properties(image: Image) -> dict:
    return {key: value for key, value in _fields(image).items() if key not in CORE_FIELDS}


def _patch(current: Image, changes: dict) -> list[dict]:
    """A JSON patch for `changes` (a None value removes the property)."""
    present = _fields(current)
    ops = []
    for key, value in changes.items():
        if value is None:
            if key in present:
                ops.append({"op": "remove", "path": f"/{key}"})
        else:
            op = "replace" if key in present else "add"
            ops.append({"op": op, "path": f"/{key}", "value": value})
    return ops


def image_info(image: Image) -> ImageInfo:
    return ImageInfo(
        id=image.id,
        name=image.name or "",
        status=image.status,
        disk_format=image.disk_format or "",
        container_format=image.container_format or "",
        size=image.size,
        checksum=image.checksum or "",
        min_disk=image.min_disk or 0,
        min_ram=image.min_ram or 0,
        visibility=image.visibility or "",
        properties=_properties(image),
        owner=image.owner or "",
        created_at=parse_time(image.created_at),
        updated_at=parse_time(image.updated_at),
    )


class ImageAPI(ResourceAPI):
    def iter_images(
        self, status: str | None = "active", page_size: int = 200
    ) -> Iterator[ImageInfo]:
        query = {"status": status} if status else {}
        # The SDK follows Glance's `next` links: one request per page of `limit` images.
        for image in self._conn.image.images(limit=page_size, **query):
            yield image_info(image)

    def get_image(self, image_id: str) -> ImageInfo:
        return image_info(self._conn.image.get_image(image_id))

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
        # Image(...).create() rather than the proxy's create_image(), which guesses file
        # names, de-duplicates by name and adds vendor metadata: here we want a bare record.
        record = Image.new(
            name=name,
            disk_format=disk_format,
            container_format=container_format,
            min_disk=min_disk,
            min_ram=min_ram,
            visibility=visibility,
            **(properties or {}),
        )
        return image_info(record.create(self._conn.image))

    def upload_image_data(
        self, image_id: str, data: BinaryIO, size: int, progress: ProgressCallback | None = None
    ) -> ImageInfo:
        proxy = self._conn.image
        body = ProgressBody(data, size, progress)
        response = Image.existing(id=image_id).upload(proxy, data=body, size=size)
        sdk_exc.raise_from_response(response)
        return self.get_image(image_id)

    def update_image(self, image_id: str, **changes) -> ImageInfo:
        """Set fields and properties (given as keywords or in `properties`); None removes
        a property."""
        changes = {**changes.pop("properties", {}), **changes}
        proxy = self._conn.image
        # Our own patch: the SDK's update_image() patches the whole property set, removing
        # the properties not named and Glance's read-only `stores` (409).
        ops = _patch(proxy.get_image(image_id), changes)
        if ops:
            path = utils.urljoin(Image.base_path, image_id)
            response = proxy.patch(path, json=ops, headers={"Content-Type": JSON_PATCH})
            sdk_exc.raise_from_response(response)
        return self.get_image(image_id)

    def deactivate_image(self, image_id: str) -> ImageInfo:
        self._conn.image.deactivate_image(image_id)
        return self.get_image(image_id)

    def reactivate_image(self, image_id: str) -> ImageInfo:
        self._conn.image.reactivate_image(image_id)
        return self.get_image(image_id)

    def delete_image(self, image_id: str) -> None:
        self._conn.image.delete_image(image_id, ignore_missing=True)
