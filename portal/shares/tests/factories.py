import factory

from portal.clouds.tests.factories import CloudFactory
from portal.shares.models import Share
from portal.tenants.tests.factories import TenantFactory


class ShareFactory(factory.django.DjangoModelFactory):
    """A ready share row (no cloud object behind it)."""

    class Meta:
        model = Share

    cloud = factory.SubFactory(CloudFactory)
    tenant = factory.SubFactory(TenantFactory)
    backend_id = factory.Faker("uuid4")
    name = factory.Sequence(lambda n: f"nas-{n}")
    proto = Share.Protocol.NFS
    size = 10
    network_id = factory.Faker("uuid4")
    status = Share.Status.READY
    share_status = "available"
    share_progress = "100%"
