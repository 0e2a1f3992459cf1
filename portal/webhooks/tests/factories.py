import factory

from portal.webhooks.models import WebhookEndpoint

# A port nothing listens on: deliveries to it are refused at once.
UNREACHABLE_URL = "http://127.0.0.1:9/portal-events"


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    url = UNREACHABLE_URL
    secret = factory.Sequence(lambda n: f"test-signing-secret-{n:06d}")
    description = factory.Sequence(lambda n: f"endpoint {n}")
