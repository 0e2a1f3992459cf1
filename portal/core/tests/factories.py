import factory

from portal.core.models import Task


class TaskFactory(factory.django.DjangoModelFactory):
    """`message=` takes what a workflow gives (a task message, or text kept as written)."""

    class Meta:
        model = Task

    kind = "test.operation"
    target_type = "thing"
    target_id = factory.Sequence(lambda n: f"thing-{n}")
    requested_by = "system:test"

    @classmethod
    def _create(cls, model_class, *args, message=None, **kwargs):
        if message is not None:
            task = model_class(*args, **kwargs)
            task.set_message(message)
            kwargs.update(message_code=task.message_code, message_params=task.message_params)
        return super()._create(model_class, *args, **kwargs)
