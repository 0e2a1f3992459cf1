# Quota reservations move to the tenants app (tenants 0004_quota_reservations), so that
# apps below servers (network, ...) can hold quota too. Here, on the existing table
# servers_quotareservation: the `server`/`volume` foreign keys become a generic holder
# (a data volume's rows are held by the volume, a server's own by the server), the new
# resources get their columns, and the model leaves this app's state.

import django.db.models.deletion
from django.db import migrations, models

NEW_RESOURCES = ("security_group_rules", "vpcs", "routers", "floating_ips", "shares", "share_gigabytes")


def holders_from_foreign_keys(apps, schema_editor):
    alias = schema_editor.connection.alias
    content_types = apps.get_model("contenttypes", "ContentType").objects.db_manager(alias)
    reservations = apps.get_model("servers", "QuotaReservation").objects.using(alias)
    server_type, _ = content_types.get_or_create(app_label="servers", model="server")
    volume_type, _ = content_types.get_or_create(app_label="servers", model="volume")
    reservations.filter(volume__isnull=False).update(
        holder_type=volume_type, holder_id=models.F("volume_id")
    )
    reservations.filter(volume__isnull=True, server__isnull=False).update(
        holder_type=server_type, holder_id=models.F("server_id")
    )


def foreign_keys_from_holders(apps, schema_editor):
    alias = schema_editor.connection.alias
    reservations = apps.get_model("servers", "QuotaReservation").objects.using(alias)
    volumes = apps.get_model("servers", "Volume").objects.using(alias)
    reservations.filter(holder_type__model="server", holder_type__app_label="servers").update(
        server_id=models.F("holder_id")
    )
    for reservation in reservations.filter(
        holder_type__model="volume", holder_type__app_label="servers"
    ):
        volume = volumes.filter(pk=reservation.holder_id).first()
        reservation.volume_id = reservation.holder_id
        reservation.server_id = volume.server_id if volume else None
        reservation.save(update_fields=["volume", "server"])


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("servers", "0010_runtime_state_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="quotareservation",
            name="holder_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="held by (kind)",
            ),
        ),
        migrations.AddField(
            model_name="quotareservation",
            name="holder_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="held by (id)"),
        ),
        *(
            migrations.AddField(
                model_name="quotareservation",
                name=name,
                field=models.IntegerField(default=0, verbose_name=name),
            )
            for name in NEW_RESOURCES
        ),
        migrations.RunPython(holders_from_foreign_keys, foreign_keys_from_holders),
        migrations.RemoveField(model_name="quotareservation", name="server"),
        migrations.RemoveField(model_name="quotareservation", name="volume"),
        migrations.AddIndex(
            model_name="quotareservation",
            index=models.Index(fields=["holder_type", "holder_id"], name="reservation_holder_idx"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="QuotaReservation")]
        ),
    ]
