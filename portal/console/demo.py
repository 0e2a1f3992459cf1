"""The embedded demo's logins: made once, kept across restarts of `make run`.

API keys are stored hashed, so a key can be shown only when it is issued. The demo keeps
what it issued (and the admin's generated password) in one file under the var dir,
encrypted with the field encryption keys, so every start can print the same logins
instead of revoking the printed ones. A login that stopped working (rotated or revoked
by hand, a changed password) is issued anew.
"""

import json
import secrets
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.auth import get_user_model

from portal.core.fields import decrypt, encrypt
from portal.tenants import keys, signup
from portal.tenants.models import PlatformAPIKey, Tenant, TenantAPIKey

ADMIN_USERNAME = "admin"
DEMO_TENANT = "demo"
DEMO_PLATFORM_KEY = "demo platform"
ACTOR = "system:load_demo"
LOGINS_FILE = "demo-logins"


@dataclass
class DemoLogins:
    admin_password: str = ""
    platform_key: str = ""
    tenant_id: str = ""
    tenant_key: str = ""


def logins_path():
    return settings.VAR_DIR / LOGINS_FILE


def stored_logins() -> DemoLogins:
    """What an earlier start issued (empty if nothing, or if it cannot be read)."""
    try:
        return DemoLogins(**json.loads(decrypt(logins_path().read_text())))
    except (OSError, ValueError, TypeError):
        return DemoLogins()


def store_logins(logins: DemoLogins) -> None:
    path = logins_path()
    path.write_text(encrypt(json.dumps(asdict(logins))))
    path.chmod(0o600)


def ensure_logins(tenant: Tenant, require_success) -> DemoLogins:
    """The demo's logins, the stored ones where they still work; stores what it issues.
    `tenant` may be None: the demo tenant is then registered (`require_success(task)`
    checks its sign-up)."""
    logins = stored_logins()
    logins.admin_password = _admin_password(logins.admin_password)
    if tenant is None:
        tenant, logins.tenant_key, task = signup.register_tenant(DEMO_TENANT, actor=ACTOR)
        require_success(task)
    elif not _valid(TenantAPIKey, logins.tenant_key, tenant=tenant):
        logins.tenant_key = keys.rotate_tenant_key(tenant, actor=ACTOR)
    logins.tenant_id = tenant.tenant_id
    if not _valid(PlatformAPIKey, logins.platform_key):
        logins.platform_key = _fresh_platform_key()
    store_logins(logins)
    return logins


def _admin_password(stored: str) -> str:
    """The admin's password: generated when the demo makes the admin, never `admin`; an
    admin whose password was changed by hand keeps it (and it is not shown)."""
    users = get_user_model().objects
    admin = users.filter(username=ADMIN_USERNAME).first()
    if admin is not None and stored and admin.check_password(stored):
        return stored
    if admin is not None and not admin.check_password("admin"):
        return ""
    password = secrets.token_urlsafe(12)
    if admin is None:
        users.create_superuser(ADMIN_USERNAME, "admin@example.com", password)
    else:  # made by an earlier demo with the old well-known password
        admin.set_password(password)
        admin.save(update_fields=["password"])
    return password


def _valid(model, key: str, **owner) -> bool:
    if not key:
        return False
    found = model.objects.get_from_key(key) if model.objects.is_valid(key) else None
    return found is not None and all(getattr(found, k) == v for k, v in owner.items())


def _fresh_platform_key() -> str:
    for old in PlatformAPIKey.objects.filter(name=DEMO_PLATFORM_KEY, revoked=False):
        keys.revoke_key(old)
    _, key = keys.create_platform_key(DEMO_PLATFORM_KEY)
    return key


def banner(logins: DemoLogins, port: int) -> str:
    url = f"http://127.0.0.1:{port}/"
    password = logins.admin_password or "(changed since the demo made it: not shown)"
    lines = [
        "",
        "=" * 72,
        f"  Cloud portal:   {url}admin/",
        f"  Admin login:    {ADMIN_USERNAME} / {password}",
        f"  API docs:       {url}api/docs/",
        f"  Platform key:   {logins.platform_key}",
        f"  Demo tenant:    {logins.tenant_id} ({DEMO_TENANT})",
        f"  Tenant key:     {logins.tenant_key}",
        "  Try:",
        f'    curl -H "Authorization: Api-Key {logins.tenant_key}" \\',
        f'         -H "X-Tenant-Id: {logins.tenant_id}" -H "X-Platform-User-Id: demo-user" \\',
        f"         {url}api/v1/flavors",
        "  Ctrl-C stops the web server, the worker and beat.",
        "=" * 72,
        "",
    ]
    return "\n".join(lines)
