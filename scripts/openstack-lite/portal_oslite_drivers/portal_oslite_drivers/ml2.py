"""ML2 mechanism driver for agent-less test clouds: binds any port on any host.

Neutron normally binds a port only through a mechanism driver whose L2 agent runs on the
port's host. There are no agents in OpenStack-lite, so this driver binds every segment it
is offered at once, reports vif_type 'ovs' and sets the port ACTIVE. Nova (with the fake
virt driver) thus gets a bound port, and Neutron sends network-vif-plugged right away.
"""

from neutron_lib import constants
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class AlwaysBindMechanismDriver(api.MechanismDriver):
    def initialize(self):
        pass

    @property
    def connectivity(self):
        return portbindings.CONNECTIVITY_L2

    def bind_port(self, context):
        # The first segment will do (vxlan for tenant networks, flat/vlan for provider ones).
        for segment in context.segments_to_bind:
            context.set_binding(
                segment[api.ID],
                portbindings.VIF_TYPE_OVS,
                {portbindings.CAP_PORT_FILTER: True, portbindings.OVS_HYBRID_PLUG: False},
                status=constants.PORT_STATUS_ACTIVE,
            )
            return
