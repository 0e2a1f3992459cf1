"""The network app's admin: the mirrors (mirrors.py), VPCs (vpcs.py), routers
(routers.py), security groups (security_groups/admin.py) and floating IPs
(floating_ips/admin.py), where they are also made
and changed."""

from portal.network.admin import mirrors, routers, vpcs  # noqa: F401
from portal.network.floating_ips import admin as floating_ip_admin  # noqa: F401
from portal.network.security_groups import admin as security_group_admin  # noqa: F401
