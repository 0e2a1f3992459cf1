"""Logging in to an OpenStack cloud, and a per-process cache of logged-in connections.

A Celery worker runs many jobs against the same few clouds; logging in to Keystone for
each call would double the traffic and the latency. So connections are kept per login
(cloud, scope, user, and a fingerprint of every setting that changes the login) until
shortly before their token expires.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import openstack
from django.conf import settings
from openstack.connection import Connection

from portal.clouds.base import TenantCredentials

# Rebuild a connection this long before its token expires, so that no call starts with a
# token that runs out mid-flight (Keystone's default token life is one hour).
TOKEN_SAFETY_MARGIN = 300.0
APP_NAME = "cloud-portal"


@dataclass(frozen=True)
class LoginSpec:
    """Everything needed to open a connection to one cloud in one scope."""

    cloud_id: str
    auth_url: str
    username: str
    password: str
    user_domain: dict  # {"user_domain_name": ...} or {"user_domain_id": ...}
    project: dict  # project_name + project_domain_name, or project_id
    region_name: str
    interface: str
    verify: bool | str
    connect_timeout: float
    read_timeout: float

    @property
    def scope(self) -> str:
        return "project:" + (self.project.get("project_id") or self.project["project_name"])

    def cache_key(self) -> tuple[str, str, str, str]:
        # The fingerprint covers the password and endpoint, so an edited Cloud row or a
        # changed tenant password gets a new connection instead of a stale one.
        fingerprint = hashlib.sha256(repr(sorted(asdict(self).items())).encode()).hexdigest()
        return (self.cloud_id, self.scope, self.username, fingerprint)

    def auth(self) -> dict:
        return {
            "auth_url": self.auth_url,
            "username": self.username,
            "password": self.password,
            **self.user_domain,
            **self.project,
        }


def _timeouts(cloud) -> tuple[float, float]:
    options = cloud.options or {}
    connect = float(options.get("connect_timeout", settings.CLOUD_CONNECT_TIMEOUT))
    read = float(options.get("read_timeout", settings.CLOUD_READ_TIMEOUT))
    return connect, read


def _verify(cloud) -> bool | str:
    """requests' `verify`: False, True, or the CA bundle named in the cloud's options."""
    if not cloud.verify_tls:
        return False
    return (cloud.options or {}).get("cacert") or True


def login_spec(cloud, credentials: TenantCredentials | None = None) -> LoginSpec:
    """The login for `cloud` as its admin (no credentials) or as a tenant's user."""
    options = cloud.options or {}
    connect_timeout, read_timeout = _timeouts(cloud)
    common = {
        "cloud_id": cloud.cloud_id,
        "auth_url": cloud.auth_url,
        "region_name": cloud.region_name,
        "interface": options.get("interface", "public"),
        "verify": _verify(cloud),
        "connect_timeout": connect_timeout,
        "read_timeout": read_timeout,
    }
    if credentials is None:
        return LoginSpec(
            username=cloud.username,
            password=cloud.password,
            user_domain={"user_domain_name": cloud.user_domain_name or "Default"},
            project={
                "project_name": cloud.project_name,
                "project_domain_name": cloud.project_domain_name or "Default",
            },
            **common,
        )
    return LoginSpec(
        username=credentials.username,
        password=credentials.password,
        user_domain={"user_domain_id": credentials.user_domain_id},
        project={"project_id": credentials.project_id},
        **common,
    )


def _auth_type(auth_url: str) -> str:
    # An auth URL that names v3 needs no version discovery: one request less per login,
    # and one timeout less to wait out when Keystone hangs.
    return "v3password" if auth_url.rstrip("/").endswith("/v3") else "password"


def open_connection(spec: LoginSpec) -> tuple[Connection, float]:
    """A new connection, logged in; and how many seconds its token stays valid.

    Raises keystoneauth/SDK exceptions: callers run it inside translate_errors.
    """
    conn = openstack.connect(
        # Never merge in a clouds.yaml or OS_* variables of the machine: this could
        # silently log a tenant connection in as the admin (openstack-lite pitfall 8).
        load_yaml_config=False,
        load_envvars=False,
        app_name=APP_NAME,
        auth_type=_auth_type(spec.auth_url),
        auth=spec.auth(),
        region_name=spec.region_name or None,
        interface=spec.interface,
        verify=spec.verify,
        # No hidden retries: a Celery job decides when to try again (with backoff).
        connect_retries=0,
        status_code_retries=0,
        image_status_code_retries=0,
    )
    # keystoneauth passes the session's timeout to requests as is; a (connect, read) pair
    # bounds both the TCP connect and each wait for response bytes, on every request.
    conn.session.timeout = (spec.connect_timeout, spec.read_timeout)
    access = conn.session.auth.get_access(conn.session)
    return conn, _seconds_until(access.expires)


def _seconds_until(expires: datetime | None) -> float:
    if expires is None:  # a token without an expiry: re-check now and then anyway
        return 3600.0
    return (expires - datetime.now(UTC)).total_seconds()


@dataclass
class _Entry:
    connection: Connection
    fresh_until: float  # time.monotonic()


class ConnectionCache:
    """Logged-in connections by login, thread-safe, rebuilt before their token expires."""

    def __init__(self, margin: float = TOKEN_SAFETY_MARGIN):
        self._margin = margin
        self._lock = threading.Lock()
        self._entries: dict[tuple, _Entry] = {}
        self._login_locks: dict[tuple, threading.Lock] = {}
        self._pid = os.getpid()

    def get(self, spec: LoginSpec) -> Connection:
        key = spec.cache_key()
        entry = self._fresh_entry(key)
        if entry is not None:
            return entry.connection
        # One login per key at a time: concurrent callers wait for it instead of all
        # logging in; callers for other clouds/users are not held up.
        with self._login_lock(key):
            entry = self._fresh_entry(key)
            if entry is None:
                entry = self._login(spec)
                with self._lock:
                    self._entries[key] = entry
            return entry.connection

    def forget(self, spec: LoginSpec) -> None:
        with self._lock:
            self._entries.pop(spec.cache_key(), None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _fresh_entry(self, key: tuple) -> _Entry | None:
        with self._lock:
            self._drop_if_forked()
            entry = self._entries.get(key)
            if entry is not None and entry.fresh_until <= time.monotonic():
                del self._entries[key]
                entry = None
            return entry

    def _drop_if_forked(self) -> None:
        # A forked Celery child must not share its parent's sockets.
        if os.getpid() != self._pid:
            self._entries.clear()
            self._login_locks.clear()
            self._pid = os.getpid()

    def _login_lock(self, key: tuple) -> threading.Lock:
        with self._lock:
            return self._login_locks.setdefault(key, threading.Lock())

    def _login(self, spec: LoginSpec) -> _Entry:
        connection, valid_for = open_connection(spec)
        # Short-lived tokens (tests, strict clouds) still get half their life from us.
        keep_for = max(valid_for - self._margin, valid_for / 2)
        return _Entry(connection, time.monotonic() + keep_for)


connections = ConnectionCache()


class ConnectionHandle:
    """What a driver holds: its login, and the cached connection for it, made on first use.

    Opening a driver costs nothing; the first cloud call logs in (inside translate_errors).
    """

    def __init__(self, cloud, credentials: TenantCredentials | None = None):
        self.cloud = cloud
        self.is_admin = credentials is None
        self.spec = login_spec(cloud, credentials)

    def connection(self) -> Connection:
        return connections.get(self.spec)

    def forget(self) -> None:
        connections.forget(self.spec)
