"""The OpenStack driver: portal.clouds.base.CloudDriver on openstacksdk."""

from __future__ import annotations

from portal.clouds.base import TenantCredentials
from portal.clouds.openstack.compute import ComputeAPI
from portal.clouds.openstack.floating_ips import FloatingIPAPI
from portal.clouds.openstack.identity import IdentityAPI
from portal.clouds.openstack.images import ImageAPI
from portal.clouds.openstack.network import NetworkAPI
from portal.clouds.openstack.session import ConnectionHandle
from portal.clouds.openstack.shares import ShareAPI
from portal.clouds.openstack.volumes import VolumeAPI


class OpenStackDriver:
    """One cloud in one scope: its admin (credentials None) or a tenant's user.

    Creating it makes no request; the first call logs in, and later drivers for the same
    login reuse that connection (session.ConnectionCache).
    """

    def __init__(self, cloud, credentials: TenantCredentials | None = None):
        self.handle = ConnectionHandle(cloud, credentials)
        self.identity = IdentityAPI(self.handle)
        self.images = ImageAPI(self.handle)
        self.compute = ComputeAPI(self.handle)
        self.volumes = VolumeAPI(self.handle)
        self.network = NetworkAPI(self.handle)
        self.floating_ips = FloatingIPAPI(self.handle)
        self.shares = ShareAPI(self.handle)

    def check(self) -> None:
        """The availability zones: Nova must answer and Keystone accept the login."""
        self.compute.list_availability_zones()

    def __repr__(self) -> str:
        return f"<OpenStackDriver {self.handle.spec.auth_url} {self.handle.spec.scope}>"
