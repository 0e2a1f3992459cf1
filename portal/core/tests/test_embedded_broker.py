"""The embedded broker (kombu's filesystem transport) keeps everything under the var dir."""

import os
import subprocess
import sys

from django.conf import settings

BROADCAST_PING = """
import django
django.setup()
from portal.celery import app
app.control.inspect(timeout=0.1).ping()
"""


def test_remote_control_writes_nothing_in_the_working_directory(tmp_path):
    workdir, var_dir = tmp_path / "cwd", tmp_path / "var"
    workdir.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(settings.BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_VAR_DIR": str(var_dir),
        "CELERY_BROKER_URL": "filesystem://",
    }
    result = subprocess.run(
        [sys.executable, "-c", BROADCAST_PING],
        cwd=workdir, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert list(workdir.iterdir()) == []
    assert any((var_dir / "celery-queue" / "control").iterdir())


QUEUE_LENGTH = """
import django
django.setup()
from portal.celery import app
from portal.core.metrics import QueueLengthCollector
for _ in range(3):
    app.send_task("portal.core.tasks.fail_stuck_tasks")
(gauge,) = QueueLengthCollector().collect()
print(*[int(sample.value) for sample in gauge.samples])
"""


def test_the_queue_length_is_read_from_the_filesystem_broker(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(settings.BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": "filesystem://",
    }
    result = subprocess.run(
        [sys.executable, "-c", QUEUE_LENGTH], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3"]
