import factory

from portal.core.models import Task


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    kind = "test.operation"
    target_type = "thing"
    target_id = factory.Sequence(lambda n: f"thing-{n}")
    requested_by = "system:test"
