# Quota reservations, moved here from the servers app (servers
# 0011_quota_reservations_move_to_tenants), enter this app's state only, on their existing
# table servers_quotareservation. Their content type follows them, so permissions granted
# on them and the admin's history stay attached. The tenant's quota gets the new resources.

import django.db.models.deletion
from django.db import migrations, models

import django.core.validators

NEW_LIMITS = {
    "security_group_rules": ("security group rules", 100),
    "vpcs": ("VPCs", 10),
    "routers": ("routers", 10),
    "floating_ips": ("floating IPs", 10),
    "shares": ("NAS shares", 10),
    "share_gigabytes": ("NAS share gigabytes", 1000),
}


def relabel_content_type(old_label, new_label):
    def relabel(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects.using(
            schema_editor.connection.alias
        )
        if not content_types.filter(app_label=new_label, model="quotareservation").exists():
            content_types.filter(app_label=old_label, model="quotareservation").update(
                app_label=new_label
            )

    return relabel


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0005_task_message_code"),
        ("servers", "0011_quota_reservations_move_to_tenants"),
        ("tenants", "0003_identity_state"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name="tenantquota",
                name=name,
                field=models.IntegerField(
                    default=default,
                    validators=[django.core.validators.MinValueValidator(-1)],
                    verbose_name=label,
                ),
            )
            for name, (label, default) in NEW_LIMITS.items()
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='QuotaReservation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('state', models.CharField(choices=[('reserved', 'reserved'), ('committed', 'committed'), ('released', 'released')], default='reserved', max_length=10, verbose_name='state')),
                        ('holder_id', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='held by (id)')),
                        ('instances', models.IntegerField(default=0, verbose_name='instances')),
                        ('cores', models.IntegerField(default=0, verbose_name='cores')),
                        ('ram', models.IntegerField(default=0, verbose_name='RAM (MB)')),
                        ('volumes', models.IntegerField(default=0, verbose_name='volumes')),
                        ('gigabytes', models.IntegerField(default=0, verbose_name='gigabytes')),
                        ('images', models.IntegerField(default=0, verbose_name='images')),
                        ('security_groups', models.IntegerField(default=0, verbose_name='security groups')),
                        ('security_group_rules', models.IntegerField(default=0, verbose_name='security group rules')),
                        ('vpcs', models.IntegerField(default=0, verbose_name='VPCs')),
                        ('routers', models.IntegerField(default=0, verbose_name='routers')),
                        ('floating_ips', models.IntegerField(default=0, verbose_name='floating IPs')),
                        ('shares', models.IntegerField(default=0, verbose_name='NAS shares')),
                        ('share_gigabytes', models.IntegerField(default=0, verbose_name='NAS share gigabytes')),
                        ('holder_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='contenttypes.contenttype', verbose_name='held by (kind)')),
                        ('task', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.task', verbose_name='task')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quota_reservations', to='tenants.tenant', verbose_name='tenant')),
                    ],
                    options={
                        'verbose_name': 'quota reservation',
                        'verbose_name_plural': 'quota reservations',
                        'db_table': 'servers_quotareservation',
                        'indexes': [models.Index(condition=models.Q(('state__in', ['reserved', 'committed'])), fields=['tenant'], name='reservation_holding_idx'), models.Index(fields=['holder_type', 'holder_id'], name='reservation_holder_idx')],
                    },
                ),
            ],
        ),
        migrations.RunPython(
            relabel_content_type("servers", "tenants"), relabel_content_type("tenants", "servers")
        ),
    ]
