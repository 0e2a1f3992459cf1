"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

No Playwright browser is downloaded: scripts/ensure-browser installs the distribution's
Chromium and the launch below points Playwright at it.
"""

import os
from pathlib import Path

import pytest
from celery import Task as CeleryTask
from celery.result import AsyncResult
from celery.utils import uuid
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from portal.clouds.tests.factories import CloudFactory

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests may run as root in a container
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
ADMIN_PASSWORD = "browser-test-pw"  # a throwaway test account


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # English unless a test switches: the admin otherwise follows the browser's language.
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def playwright(playwright):
    """Playwright's sync API keeps an event loop running in the main thread, so Django's
    ORM would refuse every call from the tests (and from later tests of the session) as
    "async unsafe"; nothing here is really concurrent, so the check is lifted meanwhile."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield playwright
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def cloud(transactional_db):
    """The default simulator cloud, committed so the live server sees it."""
    return CloudFactory(name="sim", region="region-one", is_default=True)


@pytest.fixture
def admin_user(transactional_db):
    return get_user_model().objects.create_user(
        "admin", "admin@example.com", ADMIN_PASSWORD, is_staff=True, is_superuser=True
    )


@pytest.fixture
def admin_page(page, live_server, admin_user):
    """A page logged in to the admin as a superuser (session cookie, no login form)."""
    client = Client()
    client.force_login(admin_user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def screenshot():
    """Saves the page as test-artifacts/screenshots/<name>.png (the CI keeps the folder)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name):
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return save


@pytest.fixture
def job_queue(monkeypatch, transactional_db):
    """Holds the Celery jobs the live server queues instead of running them at once (eager
    mode), so a page can show a task queued; `job_queue.run_all()` then runs them here, and
    the page must show the outcome without a reload. (A worker thread in this process
    proved flaky under pytest's output capture; the jobs' own code is the same.)"""

    class JobQueue:
        def __init__(self):
            self.held = []

        def run_all(self):
            while self.held:
                job, args, kwargs = self.held.pop(0)
                job.apply(args=args, kwargs=kwargs)

    queue = JobQueue()

    def hold(job, args=None, kwargs=None, **options):
        queue.held.append((job, args or (), kwargs or {}))
        return AsyncResult(uuid())

    monkeypatch.setattr(CeleryTask, "apply_async", hold)
    return queue
