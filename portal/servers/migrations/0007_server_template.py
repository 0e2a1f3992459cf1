import django.db.models.deletion
import portal.servers.server_templates.models
from django.db import migrations, models


def move_content_type(apps, schema_editor, *, old, new):
    """The template's content type follows it, so that permissions granted on server
    templates (and the admin's history of them) stay attached."""
    ContentType = apps.get_model('contenttypes', 'ContentType')
    types = ContentType.objects.db_manager(schema_editor.connection.alias)
    if not types.filter(app_label=new, model='servertemplate').exists():
        types.filter(app_label=old, model='servertemplate').update(app_label=new)
        types.clear_cache()


def to_servers(apps, schema_editor):
    move_content_type(apps, schema_editor, old='images', new='servers')


def to_images(apps, schema_editor):
    move_content_type(apps, schema_editor, old='servers', new='images')


class Migration(migrations.Migration):
    """Server templates move here from the images app; the table images 0003 made stays
    (db_table), so only the migration state changes."""

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('images', '0004_server_template_moved_to_servers'),
        ('servers', '0006_keypairs'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ServerTemplate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('template_id', models.CharField(default=portal.servers.server_templates.models.new_template_id, max_length=64, unique=True, verbose_name='template id')),
                        ('name', models.CharField(max_length=255, unique=True, verbose_name='name')),
                        ('system_disk_size', models.PositiveIntegerField(verbose_name='system disk size (GB)')),
                        ('system_disk_type', models.CharField(blank=True, help_text="The cloud's volume type; empty for its default.", max_length=64, verbose_name='system disk type')),
                        ('network_id', models.CharField(help_text="The cloud network's id.", max_length=64, verbose_name='network id')),
                        ('security_groups', models.JSONField(blank=True, default=list, help_text='Names, e.g. ["default"].', verbose_name='security groups')),
                        ('created_by', models.CharField(blank=True, max_length=200, verbose_name='created by')),
                        ('flavor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='servers.flavor', verbose_name='flavor')),
                        ('image', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='templates', to='images.image', verbose_name='image')),
                    ],
                    options={
                        'verbose_name': 'server template',
                        'verbose_name_plural': 'server templates',
                        'db_table': 'images_servertemplate',
                        'ordering': ['name'],
                    },
                ),
            ],
        ),
        migrations.RunPython(to_servers, to_images),
    ]
