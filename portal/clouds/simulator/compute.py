"""Nova, as one service: flavors, servers, server actions, consoles, zones and hosts."""

from portal.clouds.simulator.consoles import ConsoleOperations
from portal.clouds.simulator.flavors import FlavorOperations
from portal.clouds.simulator.keypairs import KeypairOperations
from portal.clouds.simulator.server_actions import ServerActions
from portal.clouds.simulator.servers import ServerLifecycle
from portal.clouds.simulator.zones import ZoneOperations


class SimulatedCompute(
    FlavorOperations,
    ServerLifecycle,
    ServerActions,
    ConsoleOperations,
    KeypairOperations,
    ZoneOperations,
):
    group = "compute"
