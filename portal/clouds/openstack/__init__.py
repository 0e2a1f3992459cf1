"""The `openstack` cloud driver (openstacksdk). The only package that imports openstack
or keystoneauth1: everything it returns or raises is from portal.clouds.base / .errors."""
