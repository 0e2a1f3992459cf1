import django_fsm
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("images", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="image",
            name="received_bytes",
            field=models.BigIntegerField(default=0, verbose_name="bytes received"),
        ),
        migrations.AddField(
            model_name="image",
            name="upload_size",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="upload size (bytes)"),
        ),
        migrations.AddField(
            model_name="image",
            name="upload_state",
            field=django_fsm.FSMField(
                blank=True,
                choices=[
                    ("", "not uploaded through the portal"),
                    ("queued", "waiting for data"),
                    ("receiving", "receiving data"),
                    ("transferring", "transferring to the cloud"),
                    ("active", "active"),
                    ("failed", "failed"),
                    ("deleting", "being deleted"),
                ],
                default="",
                help_text="Where a portal upload stands; empty for synced images.",
                max_length=20,
                verbose_name="upload state",
            ),
        ),
        migrations.AddField(
            model_name="image",
            name="staged_parts",
            field=models.JSONField(blank=True, default=list, verbose_name="staged parts"),
        ),
        migrations.AddField(
            model_name="image",
            name="uploaded_by_actor",
            field=models.CharField(blank=True, max_length=200, verbose_name="uploaded by (caller)"),
        ),
    ]
