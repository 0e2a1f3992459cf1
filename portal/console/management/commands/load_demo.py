"""Demo data for the embedded default (`make run`): a simulator cloud, its catalog, a
demo tenant, an admin login and fresh API keys, printed at the end.

Idempotent: a second run keeps the data and issues new keys (keys are stored hashed,
so the old ones cannot be shown again).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.celery import app as celery_app
from portal.clouds.models import Cloud
from portal.clouds.services import save_cloud
from portal.clouds.simulator.demo import seed_demo_cloud
from portal.clouds.sync import request_sync
from portal.core.models import Task
from portal.tenants import keys, signup
from portal.tenants.models import PlatformAPIKey, Tenant

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"
DEMO_TENANT = "demo"
DEMO_PLATFORM_KEY = "demo platform"
ACTOR = "system:load_demo"
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
        created_admin = self._ensure_admin()
        cloud = self._ensure_cloud()
        seed_demo_cloud(cloud)
        for kind in ("flavors.sync", "images.sync", "network.sync"):
            _, task = request_sync(kind, cloud=cloud, actor=ACTOR)
            self._require_success(task, kind)
        tenant, tenant_key = self._demo_tenant()
        platform_key = self._fresh_platform_key()
        self._print_banner(port, created_admin, tenant, tenant_key, platform_key)

    def _ensure_admin(self):
        users = get_user_model().objects
        if users.filter(username=ADMIN_USERNAME).exists():
            return False
        users.create_superuser(ADMIN_USERNAME, "admin@example.com", ADMIN_PASSWORD)
        return True

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
        )

    def _demo_tenant(self):
        tenant = Tenant.objects.filter(name=DEMO_TENANT).first()
        if tenant is None:
            tenant, key, task = signup.register_tenant(DEMO_TENANT, actor=ACTOR)
            self._require_success(task, "demo tenant sign-up")
            return tenant, key
        return tenant, keys.rotate_tenant_key(tenant, actor=ACTOR)

    def _fresh_platform_key(self):
        for old in PlatformAPIKey.objects.filter(name=DEMO_PLATFORM_KEY, revoked=False):
            keys.revoke_key(old)
        _, key = keys.create_platform_key(DEMO_PLATFORM_KEY)
        return key

    def _require_success(self, task, what):
        task.refresh_from_db()
        if task.state != Task.State.SUCCEEDED:
            raise CommandError(f"The {what} failed: {task.error_code} {task.message}")

    def _print_banner(self, port, created_admin, tenant, tenant_key, platform_key):
        url = f"http://127.0.0.1:{port}/"
        password = ADMIN_PASSWORD if created_admin else "(unchanged since it was created)"
        lines = [
            "",
            "=" * 72,
            f"  Cloud portal:   {url}admin/",
            f"  Admin login:    {ADMIN_USERNAME} / {password}",
            f"  API docs:       {url}api/docs/",
            f"  Platform key:   {platform_key}",
            f"  Demo tenant:    {tenant.tenant_id} ({tenant.name})",
            f"  Tenant key:     {tenant_key}",
            "  Try:",
            f'    curl -H "Authorization: Api-Key {tenant_key}" \\',
            f'         -H "X-Tenant-Id: {tenant.tenant_id}" -H "X-Platform-User-Id: demo-user" \\',
            f"         {url}api/v1/flavors",
            "  Ctrl-C stops the web server, the worker and beat.",
            "=" * 72,
            "",
        ]
        self.stdout.write("\n".join(lines))
