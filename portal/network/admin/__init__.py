"""The network app's admin: the mirrors (mirrors.py), VPCs (vpcs.py) and routers
(routers.py)."""

from portal.network.admin import mirrors, routers, vpcs  # noqa: F401
