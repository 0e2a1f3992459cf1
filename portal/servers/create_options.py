"""What the admin's "Create server" wizard offers at each step, for one tenant: only what
`services.create_server` would accept (it checks everything again, and stays the one
judge). Each function is a constant number of queries, whatever the catalogue's size.
"""

from dataclasses import dataclass

from django.db.models import Q

from portal.clouds.mappings import mapped_names, mapped_or_not_azure
from portal.clouds.models import AzureMapping
from portal.images.models import Image
from portal.images.services import images_visible_to
from portal.network.models import AvailabilityZone, ComputeHost, SecurityGroup
from portal.network.services import (
    ACTIVE,
    DEFAULT_SECURITY_GROUP,
    networks_usable_by,
    project_of,
)
from portal.servers.flavors import flavors_offered_to
from portal.servers.models import KeyPair
from portal.servers.server_templates.models import ServerTemplate
from portal.servers.services import as_tenant
from portal.tenants import quotas
from portal.tenants.models import UNLIMITED, Tenant
from portal.tenants.quotas import quota_of

Kind = AzureMapping.Kind
# What one server holds of its tenant's quota, by its flavor (the disks are the volumes').
SERVER_QUOTA = ("instances", "cores", "ram")


def tenants():
    return Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("tenant_id")


def images_for(tenant):
    """Images the tenant may boot from: enabled, active, still listed, its own or open;
    on an Azure cloud, mapped or uploaded there by the portal."""
    usable = mapped_or_not_azure(Kind.IMAGE) | Q(origin=Image.Origin.UPLOADED)
    images = images_visible_to(as_tenant(tenant)).filter(usable)
    return images.select_related("cloud").order_by("name", "pk")


def templates_for(tenant):
    """Server templates whose image the cloud still lists (seed 003: even if disabled
    since) and whose flavor the tenant may use (on Azure, mapped)."""
    return (
        ServerTemplate.objects.filter(
            image__missing_since__isnull=True, flavor__in=flavors_for_any_cloud(tenant)
        )
        .select_related("image__cloud", "flavor")
        .order_by("name")
    )


def flavors_for_any_cloud(tenant):
    """The flavors the tenant may use; on an Azure cloud, the mapped ones."""
    return flavors_offered_to(tenant).filter(mapped_or_not_azure(Kind.FLAVOR))


def flavors_for(tenant, cloud):
    return flavors_for_any_cloud(tenant).filter(cloud=cloud).select_related("cloud")


@dataclass(frozen=True)
class QuotaUse:
    """One resource of the tenant's quota as a flavor would use it."""

    resource: str
    needs: int
    remaining: int | None  # None: unlimited

    @property
    def fits(self) -> bool:
        return self.remaining is None or self.needs <= self.remaining


@dataclass(frozen=True)
class FlavorChoice:
    flavor: object
    uses: tuple[QuotaUse, ...]

    @property
    def fits(self) -> bool:
        return all(use.fits for use in self.uses)


def flavor_choices(tenant, cloud) -> list[FlavorChoice]:
    """Each flavor the tenant may use in `cloud`, with what a server of it would take of
    the tenant's quota against what remains (reserve() checks the same sums)."""
    limits = quota_of(tenant).as_dict()
    used = quotas.usage_of(tenant)
    remaining = {
        name: None if limits[name] == UNLIMITED else max(limits[name] - used[name], 0)
        for name in SERVER_QUOTA
    }
    return [
        FlavorChoice(
            flavor,
            tuple(
                QuotaUse(name, needs, remaining[name])
                for name, needs in (("instances", 1), ("cores", flavor.vcpus), ("ram", flavor.ram))
            ),
        )
        for flavor in flavors_for(tenant, cloud)
    ]


def networks_for(tenant, cloud):
    """Its project's networks and shared ones that are up (check_placement refuses the
    rest); on an Azure cloud, the mapped ones."""
    usable = networks_usable_by(tenant, cloud).filter(status=ACTIVE)
    return usable.filter(mapped_or_not_azure(Kind.NETWORK))


def security_group_names(tenant, cloud) -> list[str]:
    """ "default" (every project has it) and the groups of the tenant's project; on an
    Azure cloud, the groups it maps to network security groups."""
    mapped = mapped_names(cloud, Kind.SECURITY_GROUP)
    if mapped is not None:
        return mapped
    project_id = project_of(tenant, cloud)
    groups = (
        SecurityGroup.objects.in_cloud()
        .filter(cloud=cloud, project_id=project_id)
        .exclude(name=DEFAULT_SECURITY_GROUP)
    )
    names = groups.values_list("name", flat=True).distinct() if project_id else []
    return [DEFAULT_SECURITY_GROUP, *sorted(names)]


def keypairs_for(tenant, cloud):
    return KeyPair.objects.filter(tenant=tenant, cloud=cloud, status=KeyPair.Status.READY)


def zones_for(cloud):
    return AvailabilityZone.objects.filter(cloud=cloud, missing_since__isnull=True, available=True)


def hosts_for(cloud):
    """The enabled hosts that are up, with their zone (the operators' choice)."""
    return ComputeHost.objects.filter(
        cloud=cloud,
        missing_since__isnull=True,
        state=ComputeHost.State.UP,
        status=ComputeHost.Status.ENABLED,
    )
