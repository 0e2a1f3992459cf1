import factory

from portal.clouds.tests.factories import CloudFactory
from portal.servers.models import Flavor


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
