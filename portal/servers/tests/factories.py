import factory

from portal.clouds.simulator.testing import make_tenant
from portal.clouds.tests.factories import CloudFactory
from portal.images.tests.factories import ImageFactory
from portal.servers.models import Flavor, KeyPair, Server
from portal.servers.server_templates.models import ServerTemplate
from portal.tenants.tests.factories import TenantFactory, record_identity


class FlavorFactory(factory.django.DjangoModelFactory):
    """A flavor as the flavor pull leaves it (public, enabled, present)."""

    class Meta:
        model = Flavor
        skip_postgeneration_save = True

    cloud = factory.SubFactory(CloudFactory)
    backend_id = factory.Sequence(lambda n: f"flavor-{n}")
    name = factory.Sequence(lambda n: f"m1.size{n}")
    vcpus = 2
    ram = 4096
    disk = 40
    is_public = True
    enabled = True

    @factory.post_generation
    def shared_with(self, create, tenants, **kwargs):
        if create and tenants:
            self.shared_with.set(tenants)


class ServerFactory(factory.django.DjangoModelFactory):
    """A ready, running server row (no cloud object behind it)."""

    class Meta:
        model = Server

    cloud = factory.SubFactory(CloudFactory)
    tenant = factory.SubFactory(TenantFactory)
    backend_id = factory.Faker("uuid4")
    name = factory.Sequence(lambda n: f"vm-{n}")
    flavor_ref = "flavor-x"
    flavor_name = "m1.small"
    vcpus = 1
    ram = 2048
    flavor_disk = 20
    image_ref = factory.Faker("uuid4")
    image_name = "cirros"
    system_disk_size = 20
    network_id = factory.Faker("uuid4")
    status = Server.Status.READY
    runtime_state = "ACTIVE"
    power_state = "running"
    addresses = factory.LazyFunction(lambda: {"default-net": ["10.0.0.5"]})


class ServerTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServerTemplate

    name = factory.Sequence(lambda n: f"template {n}")
    image = factory.SubFactory(ImageFactory)
    flavor = factory.SubFactory(FlavorFactory, cloud=factory.SelfAttribute("..image.cloud"))
    system_disk_size = 40
    network_id = "net-1"
    security_groups = factory.LazyFunction(lambda: ["default"])


class KeyPairFactory(factory.django.DjangoModelFactory):
    """A key pair registered in its cloud (ready); the key itself is never read here."""

    class Meta:
        model = KeyPair

    tenant = factory.SubFactory(TenantFactory)
    cloud = factory.SubFactory(CloudFactory)
    name = factory.Sequence(lambda n: f"key-{n}")
    public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly"
    key_type = "ssh-ed25519"
    fingerprint = factory.Sequence(lambda n: f"SHA256:test{n}")
    status = KeyPair.Status.READY


def make_identity(tenant, cloud):
    """Set the tenant up in a simulator cloud, as sign-up would; returns its identity."""
    return record_identity(tenant, cloud, make_tenant(cloud, tenant.tenant_id))


# The quota resources a server and its disks hold, which a simulated project's usage can
# be compared with (the project's default security group holds none of the portal's).
SERVER_RESOURCES = ("instances", "cores", "ram", "volumes", "gigabytes")


def server_usages(tenant, cloud, project_id):
    """(the portal's usage, the simulated cloud's usage) of what servers hold."""
    from portal.clouds.simulator.quotas import project_usage
    from portal.tenants.quotas import usage_of

    portal, in_cloud = usage_of(tenant), project_usage(cloud, project_id)
    return (
        {name: portal[name] for name in SERVER_RESOURCES},
        {name: in_cloud[name] for name in SERVER_RESOURCES},
    )
