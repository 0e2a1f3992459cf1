from django.db import migrations


class Migration(migrations.Migration):
    """Server templates now belong to the servers app (its 0007 takes the model over);
    the table stays where it is."""

    dependencies = [
        ('images', '0003_server_template'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ServerTemplate')],
        ),
    ]
