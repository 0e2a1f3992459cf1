# The CD drive moved to the servers app (servers 0007_cd_drive): IsoMount leaves this
# app's state only; its table, isos_isomount, stays where it is and is the servers app's now.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('isos', '0002_iso_mounts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='IsoMount',
                ),
            ],
        ),
    ]
