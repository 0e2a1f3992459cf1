"""The OpenStack driver's connection cache and upload body (no cloud needed)."""

import io
import threading
import time
from types import SimpleNamespace

import pytest
import requests

from portal.clouds.base import TenantCredentials
from portal.clouds.models import Cloud
from portal.clouds.openstack import session
from portal.clouds.openstack.session import ConnectionCache, login_spec
from portal.clouds.openstack.upload import ProgressBody


def make_cloud(**changes) -> Cloud:
    fields = {
        "id": 7, "name": "c", "kind": "openstack", "region": "r",
        "auth_url": "http://keystone.example/v3", "username": "admin", "password": "pw",
        "project_name": "admin", "options": {},
    }  # fmt: skip
    return Cloud(**(fields | changes))


TENANT = TenantCredentials("t-1", "tenant-pw", "project-1", "domain-1")


@pytest.fixture
def logins(monkeypatch):
    """Replaces the real login: records each one, tokens valid for `valid_for` seconds."""
    record = SimpleNamespace(count=0, valid_for=3600.0)

    def fake_open_connection(spec):
        time.sleep(0.05)  # long enough for concurrent callers to pile up
        record.count += 1
        return SimpleNamespace(spec=spec, number=record.count), record.valid_for

    monkeypatch.setattr(session, "open_connection", fake_open_connection)
    return record


def test_one_login_per_credentials_even_from_many_threads(logins):
    cache = ConnectionCache()
    spec = login_spec(make_cloud())
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get(spec))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert logins.count == 1
    assert len({id(conn) for conn in results}) == 1


def test_each_scope_and_changed_password_gets_its_own_login(logins):
    cache = ConnectionCache()
    admin = cache.get(login_spec(make_cloud()))
    tenant = cache.get(login_spec(make_cloud(), TENANT))
    new_password = cache.get(login_spec(make_cloud(password="new")))
    assert len({admin.number, tenant.number, new_password.number}) == 3
    assert tenant.spec.auth()["project_id"] == "project-1"
    assert cache.get(login_spec(make_cloud())) is admin


def test_logs_in_again_before_the_token_expires(logins):
    logins.valid_for = 0.2  # shorter than the margin: kept for half its life
    cache = ConnectionCache(margin=300)
    spec = login_spec(make_cloud())
    first = cache.get(spec)
    assert cache.get(spec) is first
    time.sleep(0.15)
    assert cache.get(spec) is not first


def test_forget_drops_the_connection(logins):
    cache = ConnectionCache()
    spec = login_spec(make_cloud())
    first = cache.get(spec)
    cache.forget(spec)
    assert cache.get(spec) is not first


def test_timeouts_come_from_settings_or_the_cloud_options(settings):
    settings.CLOUD_CONNECT_TIMEOUT, settings.CLOUD_READ_TIMEOUT = 4.0, 40.0
    default = login_spec(make_cloud())
    assert (default.connect_timeout, default.read_timeout) == (4.0, 40.0)
    tuned = login_spec(make_cloud(options={"connect_timeout": 1, "read_timeout": 2}))
    assert (tuned.connect_timeout, tuned.read_timeout) == (1.0, 2.0)


def test_the_password_is_not_in_the_cache_key():
    key = login_spec(make_cloud(password="very-secret")).cache_key()
    assert "very-secret" not in repr(key)


def test_progress_body_streams_exactly_size_bytes_in_chunks_and_reports():
    reports = []
    body = ProgressBody(
        io.BytesIO(b"x" * 5000), 4096, reports.append, report_every=1000, chunk_bytes=700
    )
    assert len(body) == 4096
    assert not hasattr(body, "read")  # urllib3 would read a file-like body 16 KiB at a time
    prepared = requests.Request("PUT", "http://cloud.invalid/file", data=body).prepare()
    assert prepared.headers["Content-Length"] == "4096"
    assert "Transfer-Encoding" not in prepared.headers
    chunks = list(body)
    assert sum(map(len, chunks)) == 4096
    assert max(map(len, chunks)) == 700
    assert reports == [1400, 2800, 4096]  # every >= 1000 bytes, and the end
