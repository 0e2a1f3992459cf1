"""`manage.py check --deploy` is clean once the production variables are set."""

import os
import subprocess
import sys

from cryptography.fernet import Fernet
from django.conf import settings

PRODUCTION = {
    "SECRET_KEY": "x7Qp2LmZ9vR4tW8yB3nC6fH1jK5dG0sA-uE_iO7pL2qM9wX4zV8bN3cT6rY1",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "PORTAL_HTTPS": "true",
    "ALLOWED_HOSTS": "portal.example.com",
    "PLATFORM_AUTHZ_URL": "https://platform.example.com/authz",
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "DEBUG": "false",
}


def run_deploy_check(extra_env):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_VAR_DIR": os.environ.get("PORTAL_VAR_DIR", str(settings.VAR_DIR)),
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
    )  # fmt: skip


def test_clean_with_the_production_variables():
    result = run_deploy_check(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_warns_about_the_embedded_defaults():
    result = run_deploy_check({})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for warning in ("security.W009", "core.W001", "tenants.W001", "security.W008"):
        assert warning in output
