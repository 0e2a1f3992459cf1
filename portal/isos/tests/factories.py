import factory

from portal.clouds.tests.factories import CloudFactory
from portal.isos.models import FtpServer, Iso


class FtpServerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FtpServer

    cloud = factory.SubFactory(CloudFactory)
    name = factory.Sequence(lambda n: f"ftp {n}")
    host = "127.0.0.1"
    port = 21
    username = "isos"
    password = "ftp-secret"
    base_dir = "/isos"


class IsoFactory(factory.django.DjangoModelFactory):
    """An ISO the sync found (available, synced, enabled)."""

    class Meta:
        model = Iso

    ftp_server = factory.SubFactory(FtpServerFactory)
    cloud = factory.LazyAttribute(lambda iso: iso.ftp_server.cloud)
    file_name = factory.Sequence(lambda n: f"disc-{n}.iso")
    backend_id = factory.LazyAttribute(lambda iso: Iso.remote_key(iso.ftp_server, iso.file_name))
    iso_name = factory.LazyAttribute(lambda iso: iso.file_name)
    size = 1024**2
    status = Iso.Status.AVAILABLE
    origin = Iso.Origin.SYNCED
