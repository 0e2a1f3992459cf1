# The CD drive moved here from the ISOs app (isos 0003_iso_mounts_move_to_servers):
# IsoMount enters this app's state only, on its existing table isos_isomount (made by
# isos 0002_iso_mounts). Its content type follows it, so the permissions granted on it
# and the admin's history stay attached.

import django.db.models.deletion
import django_fsm
from django.db import migrations, models


def relabel_content_type(old_label, new_label):
    def relabel(apps, schema_editor):
        content_types = apps.get_model('contenttypes', 'ContentType').objects.using(
            schema_editor.connection.alias
        )
        if not content_types.filter(app_label=new_label, model='isomount').exists():
            content_types.filter(app_label=old_label, model='isomount').update(
                app_label=new_label
            )

    return relabel


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0002_idempotency_record'),
        ('isos', '0003_iso_mounts_move_to_servers'),
        ('servers', '0007_server_template'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='IsoMount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('status', django_fsm.FSMField(choices=[('attaching', 'attaching'), ('attached', 'attached'), ('detaching', 'detaching'), ('failed', 'failed')], default='attaching', max_length=20, verbose_name='status')),
                        ('status_message', models.CharField(blank=True, max_length=500, verbose_name='status message')),
                        ('volume_id', models.CharField(blank=True, max_length=64, verbose_name='volume id')),
                        ('image_id', models.CharField(blank=True, max_length=64, verbose_name='Glance image id')),
                        ('device', models.CharField(blank=True, max_length=64, verbose_name='device')),
                        ('mounted_by', models.CharField(blank=True, max_length=200, verbose_name='mounted by')),
                        ('attached_at', models.DateTimeField(blank=True, null=True, verbose_name='attached at')),
                        ('iso', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mounts', to='isos.iso', verbose_name='ISO')),
                        ('server', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='iso_mounts', to='servers.server', verbose_name='server')),
                        ('task', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.task', verbose_name='latest task')),
                    ],
                    options={
                        'verbose_name': 'ISO mount',
                        'verbose_name_plural': 'ISO mounts',
                        'db_table': 'isos_isomount',
                        'ordering': ['-created', '-pk'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'failed'), _negated=True), fields=('server',), name='one_iso_per_server')],
                    },
                ),
            ],
        ),
        migrations.RunPython(
            relabel_content_type('isos', 'servers'), relabel_content_type('servers', 'isos')
        ),
    ]
