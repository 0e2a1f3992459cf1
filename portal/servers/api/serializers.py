from rest_framework import serializers

from portal.core.api.serializers import TaskSummarySerializer
from portal.core.principals import is_operator
from portal.servers import services, tags
from portal.servers.locking import available_actions
from portal.servers.models import Flavor, KeyPair, Server
from portal.servers.server_templates.models import ServerTemplate


class FlavorSerializer(serializers.ModelSerializer):
    """Seed 004's Flavor, plus `region` and `extra_specs`.

    The seed's proto types flavor_vcpus, flavor_ram and flavor_disk as strings, and the
    REST API keeps its field types so clients generated from it parse the answers: they
    are strings here too (RAM in MB, disk in GB).
    """

    # null while a flavor an operator created is not in the cloud yet
    flavor_id = serializers.CharField(source="backend_id", allow_null=True)
    flavor_name = serializers.CharField(source="name")
    flavor_vcpus = serializers.CharField(source="vcpus")
    flavor_ram = serializers.CharField(source="ram")
    flavor_disk = serializers.CharField(source="disk")
    region = serializers.CharField(source="cloud.region")

    class Meta:
        model = Flavor
        fields = [
            "flavor_id", "flavor_name", "flavor_vcpus", "flavor_ram", "flavor_disk",
            "region", "extra_specs",
        ]  # fmt: skip
        read_only_fields = fields


class OperatorFlavorSerializer(FlavorSerializer):
    """What operators see besides: the portal flag, the access list, and whether the
    cloud still lists the flavor."""

    missing = serializers.BooleanField(source="is_missing")
    synced_time = serializers.DateTimeField(source="synced_at", allow_null=True)  # never synced
    shared_with = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(FlavorSerializer.Meta):
        fields = [
            *FlavorSerializer.Meta.fields,
            "enabled", "is_public", "shared_with", "missing", "missing_since", "synced_time",
        ]  # fmt: skip
        read_only_fields = fields


# ---- servers ---------------------------------------------------------------------------


class DiskConfSerializer(serializers.Serializer):
    """Seed 004's CloudDiskConf."""

    volume_type = serializers.CharField(required=False, allow_blank=True, max_length=64)
    size_in_g = serializers.IntegerField(min_value=1, max_value=services.MAX_DISK_GB)


class DataDiskSerializer(DiskConfSerializer):
    """A server's data disk: a cloud disk (`/cloud-disks/{volume_id}`)."""

    volume_id = serializers.CharField(read_only=True)
    cloud_volume_id = serializers.CharField(source="backend_id", read_only=True, allow_null=True)
    size_in_g = serializers.IntegerField(source="size", read_only=True)


class ServerFlavorSerializer(serializers.Serializer):
    """The server's flavor as copied onto it (survives the flavor's deletion)."""

    flavor_id = serializers.CharField(source="flavor_ref")
    flavor_name = serializers.CharField()
    flavor_vcpus = serializers.CharField(source="vcpus")
    flavor_ram = serializers.CharField(source="ram")
    flavor_disk = serializers.CharField()


class InstanceSerializer(serializers.ModelSerializer):
    """Seed 004's Instance, plus the portal's task, lock, tags and lifecycle.

    `instance_status` is what the cloud says (seed 004 rule 4: ACTIVE, SHUTOFF, ERROR...,
    BUILD while creating); `portal_state` is the portal's own lifecycle (creating, ready,
    resizing, resized, deleting, deleted, failed)."""

    cloud_instance_id = serializers.CharField(source="backend_id", allow_null=True)
    instance_status = serializers.CharField(source="cloud_status")
    portal_state = serializers.ChoiceField(source="status", choices=Server.Status.choices)
    instance_addr = serializers.CharField()
    region = serializers.CharField(source="cloud.region")
    flavor = ServerFlavorSerializer(source="*")
    system_disk = serializers.SerializerMethodField()
    data_disks = DataDiskSerializer(source="data_volumes", many=True)
    network_uuid = serializers.CharField(source="network_id")
    security_group_name = serializers.ListField(source="security_group_names")
    instance_name = serializers.CharField(source="name")
    created_time = serializers.DateTimeField(source="created")
    updated_time = serializers.DateTimeField(source="updated")
    task = TaskSummarySerializer(source="current_task", allow_null=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    tenant_id = serializers.CharField()
    resize_flavor_ref = serializers.CharField(
        source="resize_flavor.backend_id", allow_null=True, read_only=True
    )
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Server
        fields = [
            "instance_id", "cloud_instance_id", "instance_status", "instance_addr", "region",
            "availability_zone", "flavor", "image_ref", "system_disk", "data_disks", "network_uuid",
            "security_group_name", "instance_name", "hypervisor_hostname", "created_time",
            "updated_time", "task", "locked", "tags", "tenant_id", "portal_state",
            "power_state", "addresses", "status_message", "key_name", "resize_flavor_ref",
            "available_actions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_system_disk(self, server) -> dict:
        return {"volume_type": server.system_disk_type, "size_in_g": server.system_disk_size}

    def get_available_actions(self, server) -> list[str]:
        """What the caller may ask for now, as the server's state allows: operate types
        (`operate_type`), resize, confirm and revert (a resize left for confirmation),
        delete; none while an operation runs."""
        request = self.context.get("request")
        operator = request is not None and is_operator(request.user)
        return available_actions(server, operator=operator)


class InstanceCreateSerializer(serializers.Serializer):
    """CreateInstanceReq (seed 004) plus key_name and admin_pass; `tenant_id` only for
    operators, who create on a tenant's behalf."""

    tenant_id = serializers.CharField(required=False, max_length=20)
    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    availability_zone = serializers.CharField(required=False, allow_blank=True, max_length=255)
    flavor_ref = serializers.CharField(max_length=64)
    image_ref = serializers.CharField(max_length=64)
    system_disk = DiskConfSerializer(required=False)
    data_disks = DiskConfSerializer(many=True, required=False, max_length=services.MAX_DATA_DISKS)
    network_uuid = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="A network's id, or a VPC's (vpc_id or cloud_vpc_id); may be left out "
        "when the tenant has exactly one usable network.",
    )
    security_group_name = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, max_length=20
    )
    instance_name = serializers.CharField(max_length=255)
    hypervisor_hostname = serializers.CharField(required=False, allow_blank=True, max_length=255)
    key_name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    admin_pass = serializers.CharField(
        required=False, allow_blank=True, max_length=255, write_only=True
    )

    def named_resources(self) -> list[str]:
        """The existing resources the request names, for the platform's permission check:
        image, flavor, network, security groups and key pair."""
        data = self.validated_data
        return [
            data["image_ref"], data["flavor_ref"], data.get("network_uuid", ""),
            *data.get("security_group_name", ()), data.get("key_name", ""),
        ]  # fmt: skip

    def to_request(self) -> services.CreateRequest:
        data = dict(self.validated_data)
        data.pop("tenant_id", None)
        system_disk = data.pop("system_disk", None)
        data_disks = data.pop("data_disks", ())
        groups = data.pop("security_group_name", ())
        return services.CreateRequest(
            **data,
            system_disk=services.DiskRequest(**system_disk) if system_disk else None,
            data_disks=tuple(services.DiskRequest(**disk) for disk in data_disks),
            security_group_name=tuple(groups),
        )


class InstanceDeletedSerializer(serializers.Serializer):
    instance_id = serializers.CharField()
    deleted_time = serializers.DateTimeField(allow_null=True)
    task = TaskSummarySerializer()


class OperateSerializer(serializers.Serializer):
    operate_type = serializers.CharField(max_length=20)


class OperatedSerializer(serializers.Serializer):
    instance_id = serializers.CharField()
    operated_time = serializers.DateTimeField()
    operate_type = serializers.CharField()
    task = TaskSummarySerializer()


class FlavorChangeSerializer(serializers.Serializer):
    flavor_ref = serializers.CharField(max_length=64)


class UsageSerializer(serializers.Serializer):
    """The same flat shape as quotas: what the tenant's quota holds now."""

    instances = serializers.IntegerField()
    cores = serializers.IntegerField()
    ram = serializers.IntegerField()
    volumes = serializers.IntegerField()
    gigabytes = serializers.IntegerField()
    images = serializers.IntegerField()
    security_groups = serializers.IntegerField()


class TagsSerializer(serializers.Serializer):
    tags = serializers.ListField(
        child=serializers.CharField(max_length=tags.TAG_MAX_LENGTH),
        max_length=tags.MAX_TAGS,
    )


# ---- key pairs -------------------------------------------------------------------------


class KeyPairSerializer(serializers.ModelSerializer):
    """A key pair as the API shows it (never a private key: see KeyPairCreatedSerializer)."""

    keypair_name = serializers.CharField(source="name")
    region = serializers.CharField(source="cloud.region")
    created_time = serializers.DateTimeField(source="created")
    task = TaskSummarySerializer(source="current_task", allow_null=True)
    tenant_id = serializers.CharField()

    class Meta:
        model = KeyPair
        fields = [
            "keypair_id", "keypair_name", "region", "key_type", "fingerprint", "public_key",
            "status", "status_message", "created_time", "task", "tenant_id",
        ]  # fmt: skip
        read_only_fields = fields


class KeyPairCreatedSerializer(KeyPairSerializer):
    """The answer to a create: with the generated private key, this once."""

    private_key = serializers.SerializerMethodField()

    class Meta(KeyPairSerializer.Meta):
        fields = [*KeyPairSerializer.Meta.fields, "private_key"]
        read_only_fields = fields

    def get_private_key(self, keypair) -> str | None:
        return self.context.get("private_key") or None


class KeyPairCreateSerializer(serializers.Serializer):
    """Import `public_key`, or leave it out to have a pair of `key_type` generated.
    `tenant_id` only for operators."""

    keypair_name = serializers.CharField(max_length=255)
    public_key = serializers.CharField(required=False, allow_blank=True, max_length=16384)
    key_type = serializers.ChoiceField(choices=["ed25519", "rsa"], default="ed25519")
    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    tenant_id = serializers.CharField(required=False, max_length=20)


# ---- server templates ------------------------------------------------------------------


class SystemDiskSerializer(serializers.Serializer):
    """CreateInstanceReq's `system_disk` (seed 004)."""

    volume_type = serializers.CharField(
        source="system_disk_type", max_length=64, required=False, allow_blank=True, default=""
    )
    size_in_g = serializers.IntegerField(
        source="system_disk_size", min_value=1, max_value=65_536, required=False
    )


class ServerTemplateSerializer(serializers.ModelSerializer):
    """A server template, in the field names of CreateInstanceReq (seed 004) so that a
    template maps onto a server request as it is."""

    template_name = serializers.CharField(source="name", max_length=255)
    region = serializers.CharField(source="image.cloud.region", read_only=True)
    image_ref = serializers.CharField(max_length=64, source="image.image_id")
    image_name = serializers.CharField(source="image.name", read_only=True)
    image_enabled = serializers.BooleanField(source="image.enabled", read_only=True)
    flavor_ref = serializers.CharField(max_length=64, source="flavor.backend_id")
    system_disk = SystemDiskSerializer(source="*", required=False)
    network_uuid = serializers.CharField(source="network_id", max_length=64)
    security_group_name = serializers.ListField(
        source="security_groups",
        child=serializers.CharField(max_length=255),
        max_length=20,
        default=["default"],
    )
    created_time = serializers.DateTimeField(source="created", read_only=True)
    updated_time = serializers.DateTimeField(source="updated", read_only=True)

    class Meta:
        model = ServerTemplate
        fields = [
            "template_id", "template_name", "region", "image_ref", "image_name",
            "image_enabled", "flavor_ref", "system_disk", "network_uuid",
            "security_group_name", "created_by", "created_time", "updated_time",
        ]  # fmt: skip
        read_only_fields = ["template_id", "created_by"]

    def to_service_fields(self) -> dict:
        """The validated input, flat, as server_templates.create_template takes it."""
        data = dict(self.validated_data)
        return {
            "name": data["name"],
            "image_ref": data["image"]["image_id"],
            "flavor_ref": data["flavor"]["backend_id"],
            "system_disk_size": data.get("system_disk_size"),
            "system_disk_type": data.get("system_disk_type", ""),
            "network_id": data["network_id"],
            "security_groups": data["security_groups"],
        }


class RemoteConsoleSerializer(serializers.Serializer):
    protocol = serializers.CharField(help_text="vnc, or spice where the cloud offers no VNC")
    type = serializers.CharField(help_text="novnc | spice-html5")
    url = serializers.CharField()


class ConsoleLogSerializer(serializers.Serializer):
    lines = serializers.IntegerField(help_text="how many lines were asked for (at most)")
    output = serializers.CharField(allow_blank=True)


class PendingReadSerializer(serializers.Serializer):
    """A read of the cloud still running when the wait ran out: poll its Task, or ask
    again."""

    task = TaskSummarySerializer()
