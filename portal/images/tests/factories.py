import factory

from portal.clouds.tests.factories import CloudFactory
from portal.images.models import Image


class ImageFactory(factory.django.DjangoModelFactory):
    """A synced image as the image pull leaves it (active, public, enabled, present)."""

    class Meta:
        model = Image

    cloud = factory.SubFactory(CloudFactory)
    backend_id = factory.Faker("uuid4")
    image_id = factory.LazyAttribute(lambda image: image.backend_id)
    name = factory.Sequence(lambda n: f"image {n}")
    disk_format = "qcow2"
    container_format = "bare"
    size = 1024**3
    checksum = factory.Faker("md5")
    min_disk = 10
    min_ram = 512
    visibility = "public"
    status = Image.ACTIVE
    os_type = "linux"
    os_distro = "ubuntu"
    os_version = "24.04"
    enabled = True
    origin = Image.Origin.SYNCED
