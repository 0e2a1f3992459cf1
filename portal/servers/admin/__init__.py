"""The servers app's admin pages: flavors, servers, key pairs."""

from portal.servers.admin import flavors, keypairs, servers  # noqa: F401
