"""The sentences of the network app's Tasks (core.task_messages)."""

from django.utils.translation import gettext_lazy as _

from portal.core.sentences import names_from, operation, target_names
from portal.core.task_messages import Messages
from portal.network.floating_ips.models import FloatingIP
from portal.network.models import Network, Router
from portal.network.security_groups import task_messages as security_group_messages  # noqa: F401


class NetworkMessages(Messages, prefix="network"):
    READ = _("Read %(count)d objects from the cloud.")


class VpcMessages(Messages, prefix="network.vpc"):
    CREATING_NETWORK = _("Creating the network")
    CREATING_SUBNET = _("Creating the subnet %(cidr)s")
    DELETING_SUBNET = _("Deleting the subnet %(cidr)s")
    UPDATING = _("Updating the network")
    DELETING = _("Deleting the network and its subnets")
    CREATED = _("The VPC %(name)s was created with the subnet %(cidr)s.")
    UPDATED = _("The VPC %(name)s was updated.")
    DELETED = _("The VPC %(name)s was deleted.")
    SUBNET_ADDED = _("The subnet %(cidr)s was added to the VPC %(name)s.")
    SUBNET_REMOVED = _("The subnet %(cidr)s was removed from the VPC %(name)s.")
    FAILED = _("The VPC could not be created.")
    ALREADY = _("The VPC %(name)s is %(state)s already; nothing to do.")
    LEFT_OVER = _("%(reason)s Its network %(id)s could not be removed from the cloud.")


class RouterMessages(Messages, prefix="network.router"):
    CREATING = _("Creating the router")
    DELETING = _("Deleting the router")
    CHANGING = _("Changing the router")
    CREATED = _("The router %(name)s was created.")
    DELETED = _("The router %(name)s was deleted.")
    CHANGED = _("The router %(name)s was changed.")
    FAILED = _("The cloud refused the change of the router.")
    ALREADY = _("The router %(name)s is %(state)s already; nothing to do.")


operation("network.sync", _("%(actor)s synced the networks of %(target)s"), label=_("network sync"))
operation("vpc.create", _("%(actor)s created the VPC %(target)s"), label=_("VPC creation"))
operation("vpc.update", _("%(actor)s updated the VPC %(target)s"), label=_("VPC update"))
operation("vpc.delete", _("%(actor)s deleted the VPC %(target)s"), label=_("VPC deletion"))
operation(
    "vpc.add_subnet",
    _("%(actor)s added a subnet to the VPC %(target)s"),
    label=_("subnet addition"),
)
operation(
    "vpc.remove_subnet",
    _("%(actor)s removed a subnet from the VPC %(target)s"),
    label=_("subnet removal"),
)
operation("router.create", _("%(actor)s created the router %(target)s"), label=_("router creation"))
operation("router.delete", _("%(actor)s deleted the router %(target)s"), label=_("router deletion"))
operation("router.update", _("%(actor)s changed the router %(target)s"), label=_("router change"))
for action, phrase in {
    "rename": _("%(actor)s renamed the router %(target)s"),
    "set_gateway": _("%(actor)s set the external gateway of the router %(target)s"),
    "clear_gateway": _("%(actor)s cleared the external gateway of the router %(target)s"),
    "add_interface": _("%(actor)s added an interface to the router %(target)s"),
    "remove_interface": _("%(actor)s removed an interface from the router %(target)s"),
    "add_route": _("%(actor)s added a route to the router %(target)s"),
    "remove_route": _("%(actor)s removed a route from the router %(target)s"),
}.items():
    operation("router.update", phrase, action=action)
target_names("vpc", names_from(Network, "vpc_id", "name"))
target_names("router", names_from(Router, "router_id", "name"))


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
