import factory
from django.utils import timezone

from portal.clouds.tests.factories import CloudFactory
from portal.objectstorage.models import GB, Bucket, ObjectStore, OssUser
from portal.tenants.tests.factories import TenantFactory


class ObjectStoreFactory(factory.django.DjangoModelFactory):
    """A simulated region's object store."""

    class Meta:
        model = ObjectStore

    name = factory.Sequence(lambda n: f"ceph-{n}")
    cloud = factory.SubFactory(CloudFactory)
    kind = ObjectStore.Kind.SIMULATOR
    admin_url = factory.LazyAttribute(lambda store: f"http://rgw.{store.name}.example:7480")
    s3_url = factory.LazyAttribute(lambda store: f"http://s3.{store.name}.example")
    access_key = "ADMINKEY"
    secret_key = "admin-secret"


class OssUserFactory(factory.django.DjangoModelFactory):
    """A ready S3 user row with an enforced quota (no RGW user behind it)."""

    class Meta:
        model = OssUser

    store = factory.SubFactory(ObjectStoreFactory)
    tenant = factory.SubFactory(TenantFactory)
    uid = factory.Sequence(lambda n: f"user-{n}")
    display_name = factory.LazyAttribute(lambda user: f"portal:{user.tenant.tenant_id}:{user.uid}")
    access_key = factory.Sequence(lambda n: f"AKIA{n:016d}")
    secret_key = "user-secret"
    max_size_in_g = 50
    max_objects = 1000
    quota_enabled = True
    used_bytes = 20 * GB
    used_objects = 300
    status = OssUser.Status.READY
    read_at = factory.LazyFunction(timezone.now)


class BucketFactory(factory.django.DjangoModelFactory):
    """A ready bucket row of an S3 user (no RGW bucket behind it)."""

    class Meta:
        model = Bucket

    owner = factory.SubFactory(OssUserFactory)
    store = factory.SelfAttribute("owner.store")
    name = factory.Sequence(lambda n: f"bucket-{n}")
    acl = "private"
    used_bytes = 2 * GB
    used_objects = 30
    status = Bucket.Status.READY
    cloud_created = factory.LazyFunction(timezone.now)
    read_at = factory.LazyFunction(timezone.now)
