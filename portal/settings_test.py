"""Test settings: the real PostgreSQL and Redis of the machine (overridable by env)."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CACHE_URL", "rediscache://127.0.0.1:6379/13")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "LAe4ya_fms1abDXml6i_L8DILBngaFURWDt_ZAn0s08=")

from portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test users
# Unit tests run Celery tasks in-process; tests that depend on a real worker start one.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False

if DATABASES["default"]["ENGINE"].endswith(".sqlite3"):  # noqa: F405
    # A file, like `make run`'s (WAL, write lock at BEGIN, waits on locks), not the shared
    # in-memory database, whose table locks fail at once instead of waiting.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-portal.sqlite3")}  # noqa: F405

# The suite calls from one address with many keys: limits that no test meets by accident.
# Tests of the limits themselves set tight rates (portal/core/tests/test_throttling.py).
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"api_key": None, "tenant": None, "failed_auth": None},
}
