"""Task messages become a code and parameters; the free-text messages written before are
kept as they are (code "" with params {"text": ...}), so old rows show what they showed."""

import uuid

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import JSONObject


def keep_old_text(apps, schema_editor):
    Task = apps.get_model("core", "Task")
    Task.objects.exclude(message="").update(message_params=JSONObject(text=F("message")))


def back_to_text(apps, schema_editor):
    # Only the kept text goes back: a coded message has no sentence outside the code.
    Task = apps.get_model("core", "Task")
    Task.objects.filter(message_code="").exclude(message_params={}).update(
        message=models.functions.Substr(
            models.fields.json.KeyTextTransform("text", "message_params"), 1, 500
        )
    )
    Task.objects.exclude(message_code="").update(message=Value(""))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_task_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="message_code",
            field=models.CharField(blank=True, max_length=100, verbose_name="message code"),
        ),
        migrations.AddField(
            model_name="task",
            name="message_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="message parameters"),
        ),
        migrations.AddField(
            model_name="task",
            name="action",
            field=models.CharField(blank=True, max_length=32, verbose_name="action"),
        ),
        migrations.RunPython(keep_old_text, back_to_text),
        migrations.RemoveField(model_name="task", name="message"),
        migrations.AlterField(
            model_name="task",
            name="id",
            field=models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                primary_key=True,
                serialize=False,
                verbose_name="ID",
            ),
        ),
    ]
