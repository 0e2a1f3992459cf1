"""Azure mappings, the request side (issue 19; seed 000, Jacket's mapping configuration):
what operators register (admin, `/clouds/{cloud_id}/azure-mappings`), and the check that
a request on an Azure cloud names only mapped flavors, images, networks and security
groups, made before any Task.

A mapping's name is what the portal and the driver know the object by: a flavor's and an
image's cloud id (`Flavor.backend_id`, `Image.backend_id`), a network's cloud id (a
server's `network_id`), and a security group's name (what a server's request names and
the driver receives). Its Azure reference is what the driver uses for it.
"""

import re

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.clouds.azure.mappings import is_disk_ref
from portal.clouds.models import AzureMapping, Cloud
from portal.core.errors import Unprocessable, ValidationFailed
from portal.core.saving import save_unique

Kind = AzureMapping.Kind

_GUID = r"[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}"
_GROUP = rf"/subscriptions/{_GUID}/resourceGroups/[-\w.()]{{1,90}}"
_NAME = r"[-\w.]{1,80}"
# ARM ids are case-insensitive; VM sizes and marketplace names are matched as Azure
# spells them.
AZURE_REF_PATTERNS = {
    Kind.FLAVOR: re.compile(r"^(?:Standard|Basic)_[A-Za-z0-9_-]{1,60}$"),
    Kind.IMAGE: re.compile(
        rf"^(?:{_GROUP}/providers/Microsoft\.Compute/(?:images/{_NAME}|disks/{_NAME}"
        rf"|galleries/{_NAME}/images/{_NAME}(?:/versions/[\w.]{{1,40}})?)"
        rf"|(?-i:[\w.-]{{1,80}}:[\w.-]{{1,80}}:[\w.-]{{1,80}}:[\w.-]{{1,40}}))$",
        re.IGNORECASE,
    ),
    Kind.NETWORK: re.compile(
        rf"^{_GROUP}/providers/Microsoft\.Network/virtualNetworks/{_NAME}/subnets/{_NAME}$",
        re.IGNORECASE,
    ),
    Kind.SECURITY_GROUP: re.compile(
        rf"^{_GROUP}/providers/Microsoft\.Network/networkSecurityGroups/{_NAME}$",
        re.IGNORECASE,
    ),
}
AZURE_REF_EXPECTED = {
    Kind.FLAVOR: gettext_lazy("Enter an Azure VM size, such as Standard_B2s."),
    Kind.IMAGE: gettext_lazy(
        "Enter an image's resource ID (/subscriptions/.../providers/Microsoft.Compute/"
        "images/NAME, or a gallery image or image version), a marketplace image as "
        "publisher:offer:sku:version, or a managed disk's resource ID (.../providers/"
        "Microsoft.Compute/disks/NAME) for servers that boot from that disk."
    ),
    Kind.NETWORK: gettext_lazy(
        "Enter a subnet's resource ID: /subscriptions/.../providers/Microsoft.Network/"
        "virtualNetworks/VNET/subnets/SUBNET."
    ),
    Kind.SECURITY_GROUP: gettext_lazy(
        "Enter a network security group's resource ID: /subscriptions/.../providers/"
        "Microsoft.Network/networkSecurityGroups/NAME."
    ),
}
# How a missing mapping's kind is named in the refusal.
KIND_NAMES = {
    Kind.FLAVOR: gettext_lazy("flavor"),
    Kind.IMAGE: gettext_lazy("image"),
    Kind.NETWORK: gettext_lazy("network"),
    Kind.SECURITY_GROUP: gettext_lazy("security group"),
}


# ---- what operators register ----------------------------------------------------------


def mappings_of(cloud):
    return AzureMapping.objects.filter(cloud=cloud)


def azure_ref_problem(kind, azure_ref) -> str:
    """Why `azure_ref` cannot stand for an object of `kind` ("" when it can)."""
    pattern = AZURE_REF_PATTERNS.get(kind)
    if pattern is None or pattern.match(azure_ref or ""):
        return ""
    return str(AZURE_REF_EXPECTED[kind])


def refuse_unless_azure(cloud) -> None:
    """422 for a mapping on a cloud of another kind: only Azure clouds use them."""
    if cloud.kind != Cloud.Kind.AZURE:
        raise Unprocessable(
            _("Only Azure clouds have mappings; %(name)s is a cloud of kind %(kind)s.")
            % {"name": cloud.name, "kind": cloud.get_kind_display()},
            code="not_an_azure_cloud",
        )


@transaction.atomic
def save_mapping(mapping: AzureMapping, changes: dict) -> AzureMapping:
    """Create or change a mapping: 422 on a cloud that is not Azure's, 400 for an Azure
    reference that cannot stand for its kind, 409 for a second mapping of one name."""
    for name, value in changes.items():
        setattr(mapping, name, value)
    refuse_unless_azure(mapping.cloud)
    problem = azure_ref_problem(mapping.kind, mapping.azure_ref)
    if problem:
        raise ValidationFailed(fields={"azure_ref": [problem]})
    duplicate = _("This cloud already has a %(kind)s mapping of that name.") % _kind(mapping)
    save_unique(mapping, duplicate)
    return mapping


def delete_mapping(mapping: AzureMapping) -> None:
    mapping.delete()


def _kind(mapping):
    return {"kind": KIND_NAMES.get(mapping.kind, mapping.kind)}


# ---- what a request on an Azure cloud must name ---------------------------------------


def mapped_or_not_azure(kind) -> Q:
    """A filter of mirrored rows (with `cloud` and `backend_id`) that a request may name:
    those of clouds of other kinds, and on Azure clouds those mapped (by their cloud id).
    For what the admin's pickers offer."""
    mapped = AzureMapping.objects.filter(
        cloud=OuterRef("cloud"), kind=kind, name=OuterRef("backend_id")
    )
    return ~Q(cloud__kind=Cloud.Kind.AZURE) | Q(Exists(mapped))


def mapped_names(cloud, kind) -> list[str] | None:
    """The names `cloud` maps of `kind`; None for a cloud of another kind (no limit)."""
    if cloud.kind != Cloud.Kind.AZURE:
        return None
    return sorted(mappings_of(cloud).filter(kind=kind).values_list("name", flat=True))


def refuse_unmapped(cloud, kind, names, *, field) -> None:
    """422 `mapping_missing` naming the first of `names` (objects of `kind`) that `cloud`
    maps to nothing in Azure; nothing for a cloud of another kind."""
    if cloud.kind != Cloud.Kind.AZURE:
        return
    wanted = [name for name in names if name]
    mapped = set(
        mappings_of(cloud).filter(kind=kind, name__in=wanted).values_list("name", flat=True)
    )
    missing = [name for name in wanted if name not in mapped]
    if missing:
        message = _(
            "This Azure cloud has no mapping for the %(kind)s %(name)s; an administrator "
            "maps it to Azure first (Clouds → Azure mappings)."
        ) % {"kind": KIND_NAMES[kind], "name": missing[0]}
        raise Unprocessable(message, code="mapping_missing", fields={field: [message]})


def refuse_unmapped_image(cloud, image, *, field="image_ref") -> None:
    """An image the portal uploaded to the cloud itself is an Azure image already; any
    other needs a mapping."""
    if image.origin != image.Origin.UPLOADED:
        refuse_unmapped(cloud, Kind.IMAGE, [image.backend_id], field=field)


def refuse_unmapped_server(cloud, *, flavor, image, network_id, security_group_names) -> None:
    """What a new server on `cloud` names, each mapped (server create, templates)."""
    refuse_unmapped(cloud, Kind.FLAVOR, [flavor.backend_id], field="flavor_ref")
    refuse_unmapped_image(cloud, image)
    refuse_unmapped(cloud, Kind.NETWORK, [network_id], field="network_uuid")
    refuse_unmapped(
        cloud, Kind.SECURITY_GROUP, list(security_group_names), field="security_group_name"
    )


def refuse_login_on_boot_disk(cloud, image, *, key_name, admin_pass, system_disk) -> None:
    """422 `boot_disk_image` for a server of an image that maps an existing Azure disk
    (booted from as it is) whose request names a key pair, an administrator password or
    a system disk of another size: the disk's system keeps its own accounts, and the disk
    is the system disk."""
    if cloud.kind != Cloud.Kind.AZURE or image.origin == image.Origin.UPLOADED:
        return
    ref = (
        mappings_of(cloud)
        .filter(kind=Kind.IMAGE, name=image.backend_id)
        .values_list("azure_ref", flat=True)
        .first()
    )
    if not is_disk_ref(ref):
        return
    fields = {}
    if key_name or admin_pass:
        message = _(
            "The image %(name)s is an existing Azure disk that the server boots from as it "
            "is: its operating system keeps its own accounts, so a server of it takes no "
            "key pair or administrator password."
        ) % {"name": image.name}
        named = (("key_name", key_name), ("admin_pass", admin_pass))
        fields = {field: [message] for field, value in named if value}
    elif system_disk is not None and image.min_disk and system_disk.size_in_g != image.min_disk:
        message = _(
            "The image %(name)s is an existing Azure disk of %(size)d GB that is the "
            "server's system disk as it is; leave out the system disk or ask for %(size)d GB."
        ) % {"name": image.name, "size": image.min_disk}
        fields = {"system_disk": [message]}
    if fields:
        raise Unprocessable(message, code="boot_disk_image", fields=fields)
