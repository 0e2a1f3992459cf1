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


class AzureCloudFactory(CloudFactory):
    """A cloud of kind azure with every setting it needs (its driver is portal/clouds/azure)."""

    name = factory.Sequence(lambda n: f"azure-{n}")
    kind = Cloud.Kind.AZURE
    region = factory.Sequence(lambda n: f"azure-region-{n}")
    username = ""
    password = ""
    project_name = ""
    options = factory.LazyFunction(dict)
    azure_subscription_id = "11111111-2222-3333-4444-555555555555"
    azure_resource_group = "portal-rg"
    azure_location = "westeurope"
    azure_directory_id = "66666666-7777-8888-9999-000000000000"
    azure_client_id = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    azure_client_secret = "client-secret"
    azure_storage_account = "devstoreaccount1"
    azure_storage_key = "storage-key"
