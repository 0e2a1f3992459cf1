"""Nova, as one service: flavors, servers and server actions."""

from portal.clouds.simulator.flavors import FlavorOperations
from portal.clouds.simulator.keypairs import KeypairOperations
from portal.clouds.simulator.server_actions import ServerActions
from portal.clouds.simulator.servers import ServerLifecycle


class SimulatedCompute(FlavorOperations, ServerLifecycle, ServerActions, KeypairOperations):
    group = "compute"
