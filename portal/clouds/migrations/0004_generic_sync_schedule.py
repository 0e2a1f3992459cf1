"""Beat entries of the per-app `sync_X_on_schedule` jobs now run the one generic job
`portal.clouds.tasks.sync_on_schedule(kind, cloud_id)`; intervals edited in the admin are
kept."""

import json

from django.db import migrations

NEW_JOB = "portal.clouds.tasks.sync_on_schedule"
OLD_JOBS = {
    "portal.images.tasks.sync_images_on_schedule": "images.sync",
    "portal.isos.tasks.sync_isos_on_schedule": "isos.sync",
    "portal.network.tasks.sync_network_on_schedule": "network.sync",
    "portal.servers.tasks.sync_flavors_on_schedule": "flavors.sync",
    "portal.servers.tasks.sync_servers_on_schedule": "servers.sync",
}


def to_generic_job(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for entry in PeriodicTask.objects.filter(task__in=OLD_JOBS):
        (cloud_id,) = json.loads(entry.args)
        entry.args = json.dumps([OLD_JOBS[entry.task], cloud_id])
        entry.task = NEW_JOB
        entry.save(update_fields=["task", "args"])


def to_app_jobs(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    old_job_of = {kind: job for job, kind in OLD_JOBS.items()}
    for entry in PeriodicTask.objects.filter(task=NEW_JOB):
        kind, cloud_id = json.loads(entry.args)
        entry.task, entry.args = old_job_of[kind], json.dumps([cloud_id])
        entry.save(update_fields=["task", "args"])


class Migration(migrations.Migration):
    dependencies = [
        ("clouds", "0003_simulator_keypair"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(to_generic_job, to_app_jobs)]
