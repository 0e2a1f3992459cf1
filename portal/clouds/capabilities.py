"""What each kind of cloud cannot do (issue 19: seed 000's "不支持" on Azure), each with the
sentence a refused request says.

The request side checks these before it writes anything (no Task, lock or quota
reservation): `refuse_unsupported` raises 422 `not_supported_by_cloud`. The table also
names operations the portal does not offer yet (rescue, shelve, rebuild, interfaces), so
that `GET /clouds/{cloud_id}/capabilities` tells clients the whole answer. Operation names
are the portal's: `operate_type`s, and the actions of `servers.locking.available_actions`.
"""

from django.utils.translation import gettext_lazy as _

from portal.clouds.models import Cloud
from portal.core.errors import Unprocessable

AVAILABILITY_ZONE = "availability_zone"
CONSOLE = "console"
CONSOLE_LOG = "console_log"
# Tenants get a user and roles of their own in the cloud at sign-up (Keystone's).
TENANT_USERS = "tenant_users"
# Requests that make or change what an Azure cloud has the operators map instead, or
# that need a service it lacks (floating IPs, shares).
FLAVOR_CHANGE = "flavor_change"
NETWORK_CHANGE = "network_change"
ROUTER_CHANGE = "router_change"
SECURITY_GROUP_CHANGE = "security_group_change"
SECURITY_GROUP_ATTACH = "security_group_attach"
SEVERAL_SECURITY_GROUPS = "several_security_groups"
FLOATING_IPS = "floating_ips"
SHARES = "shares"
IMAGE_FORMAT = "image_format"
# The disk formats an uploaded image may have, by kind (a kind not named takes any).
UPLOAD_DISK_FORMATS = {Cloud.Kind.AZURE: ("raw", "vhd")}

_NO_SUSPEND = _(
    "Azure cannot suspend or resume a virtual machine as OpenStack does; stop and start it instead."
)
_NO_PAUSE = _("Azure cannot pause or unpause a virtual machine; stop and start it instead.")
_NO_LOCK = _("Azure has no lock on a virtual machine's actions as OpenStack has.")
_NO_RESCUE = _("Azure has no rescue mode for a virtual machine.")
_NO_SHELVE = _("Azure cannot shelve or unshelve a virtual machine.")
_NO_CONFIRM = _(
    "Azure resizes a virtual machine in one step: there is nothing to confirm or revert."
)
_NO_INTERFACES = _(
    "On Azure clouds the portal does not attach or detach network interfaces: a server gets "
    "its one network interface when it is created."
)

UNSUPPORTED: dict[str, dict[str, str]] = {
    Cloud.Kind.AZURE: {
        "suspend": _NO_SUSPEND,
        "resume": _NO_SUSPEND,
        "pause": _NO_PAUSE,
        "unpause": _NO_PAUSE,
        "lock": _NO_LOCK,
        "unlock": _NO_LOCK,
        "confirm": _NO_CONFIRM,
        "revert": _NO_CONFIRM,
        CONSOLE: _("Azure offers no remote console (VNC or SPICE) of a virtual machine."),
        CONSOLE_LOG: _(
            "Azure keeps a console log only in boot diagnostics, which the portal does not "
            "read yet."
        ),
        AVAILABILITY_ZONE: _(
            "This Azure cloud maps no availability zone of that name; an administrator "
            'lists the usable ones in its options ("availability_zones").'
        ),
        "rescue": _NO_RESCUE,
        "unrescue": _NO_RESCUE,
        "shelve": _NO_SHELVE,
        "unshelve": _NO_SHELVE,
        "rebuild": _("Azure cannot rebuild a virtual machine from another image."),
        "interface_attach": _NO_INTERFACES,
        "interface_detach": _NO_INTERFACES,
        FLAVOR_CHANGE: _(
            "On Azure clouds flavors are VM sizes an administrator maps; they are not "
            "created, deleted or shared in the cloud."
        ),
        NETWORK_CHANGE: _(
            "On Azure clouds the portal does not create networks or subnets: an "
            "administrator maps existing Azure subnets."
        ),
        ROUTER_CHANGE: _("On Azure clouds the portal does not create or change routers."),
        SECURITY_GROUP_CHANGE: _(
            "On Azure clouds the portal does not create or change security groups: an "
            "administrator maps existing network security groups."
        ),
        SECURITY_GROUP_ATTACH: _(
            "On Azure clouds a server keeps the one network security group it was created with."
        ),
        SEVERAL_SECURITY_GROUPS: _(
            "On Azure clouds a server has one network security group: name at most one "
            "security group."
        ),
        FLOATING_IPS: _("Azure clouds offer no floating IPs through the portal."),
        SHARES: _("Azure clouds offer no shared file systems (NAS shares) through the portal."),
        IMAGE_FORMAT: _(
            "Azure boots only VHDs: upload the image in raw or vhd format (a raw image "
            "becomes a fixed-size VHD)."
        ),
        TENANT_USERS: _(
            "Azure clouds have no per-tenant users or roles: each tenant gets a resource "
            "group of its own, and the portal acts in it as the cloud's service principal."
        ),
    },
}


def unsupported_operations(kind) -> dict[str, str]:
    """{operation: why not} for a cloud of `kind` (empty: it can do everything)."""
    return UNSUPPORTED.get(kind, {})


def supports(cloud, operation) -> bool:
    return operation not in unsupported_operations(cloud.kind)


def refuse_unsupported(cloud, operation) -> None:
    """422 `not_supported_by_cloud` with the reason, if `cloud` cannot do `operation`."""
    reason = unsupported_operations(cloud.kind).get(operation)
    if reason is not None:
        raise Unprocessable(str(reason), code="not_supported_by_cloud")


def refuse_disk_format(cloud, disk_format, *, field="image_diskformat") -> None:
    """422 `not_supported_by_cloud` for an upload in a disk format `cloud` cannot boot."""
    allowed = UPLOAD_DISK_FORMATS.get(cloud.kind)
    if allowed is not None and disk_format not in allowed:
        reason = str(unsupported_operations(cloud.kind)[IMAGE_FORMAT])
        raise Unprocessable(reason, code="not_supported_by_cloud", fields={field: [reason]})


def refuse_unmapped_zone(cloud, zone_name) -> None:
    """A kind that cannot choose zones takes only those its options map (options
    ["availability_zones"]); 422 for any other."""
    if not zone_name or supports(cloud, AVAILABILITY_ZONE):
        return
    mapped = cloud.options.get("availability_zones") if isinstance(cloud.options, dict) else None
    if not isinstance(mapped, list) or zone_name not in mapped:
        reason = unsupported_operations(cloud.kind)[AVAILABILITY_ZONE]
        raise Unprocessable(
            str(reason), code="not_supported_by_cloud", fields={AVAILABILITY_ZONE: [str(reason)]}
        )
