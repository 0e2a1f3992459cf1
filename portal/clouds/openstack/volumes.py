"""Cinder volumes; attach and detach go through Nova's volume-attachment API, so that
Nova and Cinder agree on the attachment (seed 004)."""

from __future__ import annotations

from collections.abc import Iterator

from openstack.block_storage.v3.volume import Volume

from portal.clouds.base import VolumeAttachment, VolumeInfo
from portal.clouds.openstack.resource import ResourceAPI, not_none, only_given, parse_time


def _attachment(entry: dict) -> VolumeAttachment:
    return VolumeAttachment(
        server_id=entry.get("server_id", ""),
        device=entry.get("device", "") or "",
        attached_at=parse_time(entry.get("attached_at")),
    )


def volume_info(volume: Volume) -> VolumeInfo:
    return VolumeInfo(
        id=volume.id,
        name=volume.name or "",
        size=volume.size,
        status=volume.status,
        volume_type=volume.volume_type or "",
        availability_zone=volume.availability_zone or "",
        bootable=bool(volume.is_bootable),
        attachments=[_attachment(entry) for entry in volume.attachments or []],
        created_at=parse_time(volume.created_at),
        description=volume.description or "",
        project_id=volume.project_id or "",
    )


class VolumeAPI(ResourceAPI):
    def create_volume(
        self,
        name: str,
        size: int,
        *,
        volume_type: str = "",
        availability_zone: str = "",
        image_id: str = "",
        description: str = "",
    ) -> VolumeInfo:
        volume = self._conn.block_storage.create_volume(
            name=name,
            size=size,
            **only_given(
                volume_type=volume_type,
                availability_zone=availability_zone,
                image_id=image_id,
                description=description,
            ),
        )
        return volume_info(volume)

    def get_volume(self, volume_id: str) -> VolumeInfo:
        return volume_info(self._conn.block_storage.get_volume(volume_id))

    def list_volumes(self) -> list[VolumeInfo]:
        return [volume_info(v) for v in self._conn.block_storage.volumes(details=True)]

    def iter_volumes(self, page_size: int = 200) -> Iterator[VolumeInfo]:
        query = {"limit": page_size}
        # A tenant's token sees only its project anyway; an admin must ask for the others.
        if self._handle.is_admin:
            query["all_projects"] = True
        for volume in self._conn.block_storage.volumes(details=True, **query):
            yield volume_info(volume)

    def list_volume_types(self) -> list[str]:
        return [volume_type.name for volume_type in self._conn.block_storage.types()]

    def extend_volume(self, volume_id: str, new_size: int) -> None:
        """Asks Cinder to grow the volume; the new size shows once status is back to
        available/in-use (poll get_volume). openstacksdk speaks the newest microversion
        both sides know, so an in-use volume is extended where Cinder allows it (3.42+)."""
        self._conn.block_storage.extend_volume(volume_id, new_size)

    def update_volume(
        self, volume_id: str, *, name: str | None = None, description: str | None = None
    ) -> VolumeInfo:
        changes = not_none(name=name, description=description)
        return volume_info(self._conn.block_storage.update_volume(volume_id, **changes))

    def attach_volume(self, server_id: str, volume_id: str) -> VolumeAttachment:
        attachment = self._conn.compute.create_volume_attachment(server_id, volume_id=volume_id)
        return VolumeAttachment(server_id=server_id, device=attachment.device or "")

    def detach_volume(self, server_id: str, volume_id: str) -> None:
        self._conn.compute.delete_volume_attachment(server_id, volume_id, ignore_missing=True)

    def delete_volume(self, volume_id: str) -> None:
        self._conn.block_storage.delete_volume(volume_id, ignore_missing=True)
