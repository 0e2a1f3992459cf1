"""Print the demo's logins once the web server, the worker and beat are up (`make run`
starts it beside them), so they are not buried under the worker's start-up banner."""

import os
import time
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.celery import app as celery_app
from portal.console import demo

BEAT_PIDFILE = "celerybeat.pid"


class Command(BaseCommand):
    help = "Wait until web, worker and beat answer, then print the demo's logins."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--timeout", type=float, default=180.0)

    def handle(self, *args, port, timeout, **options):
        deadline = time.monotonic() + timeout
        for what, ready in (
            ("the web server", lambda: _web_answers(port)),
            ("the worker", _worker_answers),
            ("beat", _beat_runs),
        ):
            while not ready():
                if time.monotonic() > deadline:
                    raise CommandError(f"{what} did not start within {timeout:.0f} s")
                time.sleep(0.5)
        self.stdout.write(demo.banner(demo.stored_logins(), port))


def _web_answers(port) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _worker_answers() -> bool:
    return bool(celery_app.control.inspect(timeout=1).ping())


def _beat_runs() -> bool:
    try:
        pid = int((settings.VAR_DIR / BEAT_PIDFILE).read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True
