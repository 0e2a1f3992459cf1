"""The sentences of the network app's Tasks (core.task_messages)."""

from django.utils.translation import gettext_lazy as _

from portal.core.sentences import names_from, operation, target_names
from portal.core.task_messages import Messages
from portal.network.floating_ips.models import FloatingIP


class NetworkMessages(Messages, prefix="network"):
    READ = _("Read %(count)d objects from the cloud.")
    TENANT_NOT_READY = _("The tenant is not set up in this cloud yet.")


operation("network.sync", _("%(actor)s synced the networks of %(target)s"), label=_("network sync"))


class FloatingIPMessages(Messages, prefix="network.floating_ip"):
    ALLOCATING = _("Allocating an address of external network %(network)s")
    ALLOCATED = _("Floating IP %(address)s was allocated.")
    FINDING_PORT = _("Finding the server's port")
    ASSOCIATING = _("Associating %(address)s with %(fixed)s")
    ASSOCIATED = _("Floating IP %(address)s now forwards to %(fixed)s.")
    DISSOCIATING = _("Dissociating %(address)s")
    DISSOCIATED = _("Floating IP %(address)s is no longer associated.")
    RELEASING = _("Releasing %(address)s")
    RELEASED = _("Floating IP %(address)s was released.")
    NO_PORT = _("The server has no port with the fixed IP address %(fixed)s.")
    NO_ROUTE = _(
        "Neutron refused the association: no router joins the server's subnet to the "
        "external network of %(address)s. Add a router with a gateway on that network and "
        "an interface on the subnet first. (%(reason)s)"
    )
    GONE = _("The floating IP no longer exists in the portal.")


operation(
    "network.floating_ip.allocate",
    _("%(actor)s allocated floating IP %(target)s"),
    label=_("floating IP allocation"),
)
operation(
    "network.floating_ip.associate",
    _("%(actor)s associated floating IP %(target)s"),
    label=_("floating IP association"),
)
operation(
    "network.floating_ip.dissociate",
    _("%(actor)s dissociated floating IP %(target)s"),
    label=_("floating IP dissociation"),
)
operation(
    "network.floating_ip.release",
    _("%(actor)s released floating IP %(target)s"),
    label=_("floating IP release"),
)
target_names("floating_ip", names_from(FloatingIP, "floating_ip_id", "floating_ip_address"))
