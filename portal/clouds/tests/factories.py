import factory

from portal.clouds.models import Cloud


class CloudFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cloud
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"sim-{n}")
    kind = Cloud.Kind.SIMULATOR
    region = factory.Sequence(lambda n: f"region-{n}")
    username = "admin"
    password = "admin-secret"
    project_name = "admin"
    # No artificial delays in unit tests: servers move through their states at once.
    options = factory.LazyFunction(lambda: {"delays": {"default": 0}})
    enabled = True
    is_default = False
