"""The servers app's admin pages: flavors, servers, key pairs, server templates, the
CD drive, cloud disks and floating IPs with their association (each registered by its
module being imported here)."""

from portal.servers.admin import flavors, floating_ips, keypairs, servers  # noqa: F401
from portal.servers.cdrom import admin as cdrom_admin  # noqa: F401
from portal.servers.disks import admin as disk_admin  # noqa: F401
from portal.servers.server_templates import admin as server_template_admin  # noqa: F401
