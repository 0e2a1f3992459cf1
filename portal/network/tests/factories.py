import factory

from portal.clouds.tests.factories import CloudFactory
from portal.network.models import (
    AvailabilityZone,
    ComputeHost,
    Network,
    Router,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
)


class NetworkFactory(factory.django.DjangoModelFactory):
    """A network as the network pull leaves it (ACTIVE, present); shared unless a
    `project_id` is given."""

    class Meta:
        model = Network

    cloud = factory.SubFactory(CloudFactory)
    backend_id = factory.Faker("uuid4")
    name = factory.Sequence(lambda n: f"net-{n}")
    project_id = ""
    shared = factory.LazyAttribute(lambda network: not network.project_id)
    external = False
    status = "ACTIVE"


class SecurityGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecurityGroup

    cloud = factory.SubFactory(CloudFactory)
    backend_id = factory.Faker("uuid4")
    name = factory.Sequence(lambda n: f"group-{n}")
    project_id = factory.Faker("uuid4")


class SecurityGroupRuleFactory(factory.django.DjangoModelFactory):
    """An SSH rule of a group."""

    class Meta:
        model = SecurityGroupRule

    group = factory.SubFactory(SecurityGroupFactory)
    cloud = factory.SelfAttribute("group.cloud")
    backend_id = factory.Faker("uuid4")
    direction = "ingress"
    protocol = "tcp"
    port_range_min = 22
    port_range_max = 22
    remote_ip_prefix = "0.0.0.0/0"


class NamedInTheCloudFactory(factory.django.DjangoModelFactory):
    """A mirrored row the cloud knows by its name (zones, hosts)."""

    class Meta:
        abstract = True

    cloud = factory.SubFactory(CloudFactory)
    backend_id = factory.SelfAttribute("name")


class AvailabilityZoneFactory(NamedInTheCloudFactory):
    class Meta:
        model = AvailabilityZone

    name = factory.Sequence(lambda n: f"zone-{n}")
    available = True


class ComputeHostFactory(NamedInTheCloudFactory):
    class Meta:
        model = ComputeHost

    name = factory.Sequence(lambda n: f"compute-{n}")
    zone = "nova"
    state = ComputeHost.State.UP
    status = ComputeHost.Status.ENABLED


class VpcFactory(NetworkFactory):
    """A tenant's VPC as a create leaves it (ready, in the tenant's project)."""

    tenant = factory.SubFactory("portal.tenants.tests.factories.TenantFactory")
    shared = False


class SubnetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subnet

    network = factory.SubFactory(VpcFactory)
    cloud = factory.SelfAttribute("network.cloud")
    backend_id = factory.Faker("uuid4")
    cidr = factory.Sequence(lambda n: f"10.{n % 250}.0.0/24")


class RouterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Router

    cloud = factory.SubFactory(CloudFactory)
    tenant = factory.SubFactory("portal.tenants.tests.factories.TenantFactory")
    backend_id = factory.Faker("uuid4")
    name = factory.Sequence(lambda n: f"router-{n}")
    status = "ACTIVE"
