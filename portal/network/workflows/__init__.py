"""The network app's worker side: the pull (sync.py), VPCs (vpcs.py) and routers
(routers.py)."""

from portal.network.workflows.sync import sync_network

__all__ = ["sync_network"]
