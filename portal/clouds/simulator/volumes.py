"""Cinder volumes, attached and detached through Nova as seed 004 advises."""

import string

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from portal.clouds.base import VolumeAttachment, VolumeInfo
from portal.clouds.simulator import state
from portal.clouds.simulator import visibility as visible
from portal.clouds.simulator.images import check_volume_source
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.quotas import check_quota
from portal.clouds.simulator.refusals import bad_request, conflict, not_found, require_status
from portal.clouds.simulator.servers import ServerAccess, require_server_status
from portal.clouds.simulator.service import Kind, atomic
from portal.clouds.simulator.zones import DEFAULT_ZONE

# Nova's states in which a volume may be attached to or detached from a server.
ATTACHABLE_SERVER_STATUSES = ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "VERIFY_RESIZE")
DELETABLE_STATUSES = ("available", "error", "error_extending")
EXTENDABLE_STATUSES = ("available", "in-use")
# The volume types of a simulator cloud unless its options name others ("volume_types"):
# the first is the default, which a volume made without a type gets.
DEFAULT_VOLUME_TYPES = ("standard",)


def volume_types(cloud) -> list[str]:
    return list(cloud.options.get("volume_types") or DEFAULT_VOLUME_TYPES)


def extends_attached(cloud) -> bool:
    """Whether this Cinder extends in-use volumes (API microversion >= 3.42); a cloud
    may say it does not (option "extend_attached_volumes": false), as older ones do."""
    return cloud.options.get("extend_attached_volumes", True)


def volume_info(volume: SimulatedObject) -> VolumeInfo:
    data = volume.data
    attachments = []
    if volume.parent_id:
        attached_at = parse_datetime(data["attached_at"]) if data.get("attached_at") else None
        attachments.append(VolumeAttachment(volume.parent_id, data.get("device", ""), attached_at))
    return VolumeInfo(
        id=volume.backend_id,
        name=volume.name,
        size=data["size"],
        status=volume.status,
        volume_type=data.get("volume_type", ""),
        availability_zone=data.get("availability_zone", ""),
        bootable=data.get("bootable", False),
        attachments=attachments,
        created_at=volume.created,
        description=data.get("description", ""),
        project_id=volume.project_id,
    )


class SimulatedVolumes(ServerAccess):
    group = "volumes"

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
        if size < 1:
            raise bad_request(_("A volume is at least 1 GB."))
        if image_id:
            image = self._get(visible.images(self.scope), image_id, _("image"))
            check_volume_source(image, size)
        types = volume_types(self.cloud)
        if volume_type and volume_type not in types:
            raise not_found(_("volume type"), volume_type)
        check_quota(self.cloud, self.scope.project_id, volumes=1, gigabytes=size)
        data = {
            "size": size,
            "volume_type": volume_type or types[0],
            "availability_zone": availability_zone or DEFAULT_ZONE,
            "bootable": bool(image_id),
            "image_id": image_id,
            "description": description,
        }
        with atomic():
            volume = self._create(Kind.VOLUME, name=name, data=data)
            state.begin(
                volume,
                "volume_create",
                interim={"status": "creating"},
                final={"status": "available"},
            )
        return volume_info(volume)

    def get_volume(self, volume_id: str) -> VolumeInfo:
        return volume_info(self._find_volume(volume_id))

    def list_volumes(self) -> list[VolumeInfo]:
        return [volume_info(volume) for volume in self._settled(self._owned(Kind.VOLUME))]

    def iter_volumes(self, page_size: int = 200):
        volumes = self._owned(Kind.VOLUME)
        last_pk = 0
        while True:
            page_query = volumes.filter(pk__gt=last_pk).order_by("pk")[:page_size]
            state.settle(volumes.filter(pk__in=page_query.values("pk")))
            page = list(volumes.filter(pk__gt=last_pk).order_by("pk")[:page_size])
            yield from (volume_info(volume) for volume in page)
            if len(page) < page_size:
                return
            last_pk = page[-1].pk

    def list_volume_types(self) -> list[str]:
        return volume_types(self.cloud)

    def extend_volume(self, volume_id: str, new_size: int) -> None:
        with atomic():
            volume = self._get_for_update(self._owned(Kind.VOLUME), volume_id, _("volume"))
            extendable = EXTENDABLE_STATUSES if extends_attached(self.cloud) else ("available",)
            self._refuse_unless(volume, extendable, _("extend"))
            if new_size <= volume.data["size"]:
                raise bad_request(
                    _("A volume can only grow: %(new)s GB is not more than %(size)s GB."),
                    new=new_size,
                    size=volume.data["size"],
                )
            check_quota(self.cloud, volume.project_id, gigabytes=new_size - volume.data["size"])
            state.begin(
                volume,
                "extend",
                interim={"status": "extending"},
                final={"status": volume.status, "data": {"size": new_size}},
            )

    def update_volume(
        self, volume_id: str, *, name: str | None = None, description: str | None = None
    ) -> VolumeInfo:
        volume = self._find_volume(volume_id)
        self._rename(volume, name, description)
        return volume_info(volume)

    def attach_volume(self, server_id: str, volume_id: str) -> VolumeAttachment:
        with self._changing_server(server_id) as server:
            require_server_status(server, ATTACHABLE_SERVER_STATUSES, _("attach a volume to"))
            volume = self._get_for_update(self._owned(Kind.VOLUME), volume_id, _("volume"))
            self._refuse_unless(volume, ("available",), _("attach"))
            volume.parent_id = server.backend_id
            volume.status = "in-use"
            volume.data["device"] = self._next_device(server)
            volume.data["attached_at"] = timezone.now().isoformat()
            volume.save()
        return volume_info(volume).attachments[0]

    def detach_volume(self, server_id: str, volume_id: str) -> None:
        with self._changing_server(server_id) as server:
            require_server_status(server, ATTACHABLE_SERVER_STATUSES, _("detach a volume from"))
            volume = self._get_for_update(self._owned(Kind.VOLUME), volume_id, _("volume"))
            if volume.parent_id != server.backend_id:
                raise not_found(_("volume attachment"), f"{server_id}/{volume_id}")
            if volume.data.get("device") == "/dev/vda":
                raise bad_request(_("The root volume of a server cannot be detached."))
            volume.parent_id, volume.status = "", "available"
            volume.data.pop("device", None)
            volume.data.pop("attached_at", None)
            volume.save()

    def delete_volume(self, volume_id: str) -> None:
        with atomic():
            volume = self._get_for_update(self._owned(Kind.VOLUME), volume_id, _("volume"))
            self._refuse_unless(volume, DELETABLE_STATUSES, _("delete"))
            volume.delete()

    # ---- helpers -------------------------------------------------------------------

    def _find_volume(self, volume_id: str) -> SimulatedObject:
        return self._get(self._owned(Kind.VOLUME), volume_id, _("volume"))

    def _refuse_unless(self, volume: SimulatedObject, statuses, action: str) -> None:
        message = _("Cannot %(action)s volume %(id)s while it is %(status)s.")
        require_status(volume, statuses, action, message)

    def _next_device(self, server: SimulatedObject) -> str:
        attached = self._all(Kind.VOLUME).filter(parent_id=server.backend_id)
        used = set(attached.values_list("data__device", flat=True))
        for letter in string.ascii_lowercase[1:]:
            if f"/dev/vd{letter}" not in used:
                return f"/dev/vd{letter}"
        raise conflict(_("The server %(id)s has no free device name left."), id=server.backend_id)
