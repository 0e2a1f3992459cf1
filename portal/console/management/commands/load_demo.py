"""Demo data for the embedded default (`make run`): a simulator cloud, its catalog, a
demo tenant, an admin login and API keys, printed at the end.

Idempotent: a second run keeps the data and prints the same logins (portal.console.demo
keeps them, encrypted, under the var dir); `demo_banner` prints them again once the web
server, the worker and beat are up.
"""

from django.core.management.base import BaseCommand, CommandError

from portal.celery import app as celery_app
from portal.clouds.models import Cloud
from portal.clouds.services import save_cloud
from portal.clouds.simulator.demo import seed_demo_cloud
from portal.clouds.sync import request_sync
from portal.console import demo
from portal.core.models import Task
from portal.objectstorage.models import ObjectStore
from portal.objectstorage.stores import save_store
from portal.tenants.models import Tenant

# Short, visible delays so the demo shows servers moving through their states.
DEMO_DELAYS = {"default": 2, "build": 4, "resize": 4}


class Command(BaseCommand):
    help = "Load demo data for the embedded default and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, port, **options):
        # The worker is not running yet: run the queued jobs here, in this process (so
        # its registry must know them: they are enqueued by name).
        celery_app.conf.task_always_eager = True
        celery_app.loader.import_default_modules()
        cloud = self._ensure_cloud()
        seed_demo_cloud(cloud)
        self._ensure_object_store(cloud)
        for kind in ("flavors.sync", "images.sync", "network.sync"):
            _, task = request_sync(kind, cloud=cloud, actor=demo.ACTOR)
            self._require_success(task, kind)
        tenant = Tenant.objects.filter(name=demo.DEMO_TENANT).first()
        logins = demo.ensure_logins(
            tenant, lambda task: self._require_success(task, "demo tenant sign-up")
        )
        self.stdout.write(demo.banner(logins, port))

    def _ensure_cloud(self):
        cloud = Cloud.objects.filter(kind=Cloud.Kind.SIMULATOR, name="simulator").first()
        if cloud is not None:
            return cloud
        return save_cloud(
            Cloud(),
            {
                "name": "simulator",
                "kind": Cloud.Kind.SIMULATOR,
                "region": "region-one",
                "username": "admin",
                "password": "simulator",
                "project_name": "admin",
                "options": {"delays": DEMO_DELAYS},
                "is_default": not Cloud.objects.filter(is_default=True).exists(),
            },
            actor=demo.ACTOR,
        )

    def _ensure_object_store(self, cloud):
        """The region's simulated RGW, so the OSS calls work in the demo."""
        if ObjectStore.objects.filter(cloud=cloud).exists():
            return
        save_store(
            ObjectStore(),
            {
                "name": "simulated-ceph",
                "cloud": cloud,
                "kind": ObjectStore.Kind.SIMULATOR,
                "admin_url": "http://rgw.simulator.invalid",
                "s3_url": "http://s3.simulator.invalid",
                "access_key": "DEMOADMIN",
                "secret_key": "simulator",
            },
        )

    def _require_success(self, task, what):
        task.refresh_from_db()
        if task.state != Task.State.SUCCEEDED:
            raise CommandError(f"The {what} failed: {task.error_code} {task.message}")
