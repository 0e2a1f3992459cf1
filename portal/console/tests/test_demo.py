"""The embedded demo (`make run`): its data, and logins that survive a restart."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from portal.console import demo
from portal.core.models import Task
from portal.images.models import Image
from portal.tenants import keys
from portal.tenants.models import PlatformAPIKey, Tenant, TenantAPIKey

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def load_demo(capsys):
    call_command("load_demo", "--port", "8123")
    return capsys.readouterr().out


def tenant_call(logins, path="/api/v1/flavors"):
    client = APIClient(
        HTTP_AUTHORIZATION=f"Api-Key {logins.tenant_key}",
        HTTP_X_TENANT_ID=logins.tenant_id,
        HTTP_X_PLATFORM_USER_ID="demo-user",
    )
    return client.get(path)


def test_the_demo_loads_a_catalogue_a_tenant_and_working_logins(capsys):
    printed = load_demo(capsys)

    logins = demo.stored_logins()
    assert Image.objects.exists()
    assert Tenant.objects.get(name="demo").tenant_id == logins.tenant_id
    assert Task.objects.filter(state=Task.State.FAILED).count() == 0
    assert tenant_call(logins).status_code == 200
    assert PlatformAPIKey.objects.is_valid(logins.platform_key)
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password(logins.admin_password)
    assert not admin.check_password("admin")  # never the well-known password
    for shown in (logins.admin_password, logins.platform_key, logins.tenant_key):
        assert shown in printed


def test_a_restart_prints_the_same_logins_and_revokes_nothing(capsys):
    load_demo(capsys)
    first = demo.stored_logins()

    printed = load_demo(capsys)

    assert demo.stored_logins() == first
    assert first.tenant_key in printed
    assert tenant_call(first).status_code == 200
    assert TenantAPIKey.objects.filter(revoked=False).count() == 1
    assert PlatformAPIKey.objects.filter(revoked=False).count() == 1


def test_a_login_revoked_by_hand_is_issued_anew(capsys):
    load_demo(capsys)
    first = demo.stored_logins()
    keys.revoke_tenant_keys(Tenant.objects.get(name="demo"), actor="test")

    load_demo(capsys)

    second = demo.stored_logins()
    assert second.tenant_key != first.tenant_key
    assert second.platform_key == first.platform_key
    assert tenant_call(second).status_code == 200


def test_an_admin_password_changed_by_hand_is_kept_and_not_shown(capsys):
    load_demo(capsys)
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("chosen by the operator")
    admin.save()

    printed = load_demo(capsys)

    admin.refresh_from_db()
    assert admin.check_password("chosen by the operator")
    assert "not shown" in printed


def test_an_old_demo_admin_with_the_well_known_password_gets_a_generated_one(capsys):
    get_user_model().objects.create_superuser("admin", "admin@example.com", "admin")

    load_demo(capsys)

    admin = get_user_model().objects.get(username="admin")
    assert not admin.check_password("admin")
    assert admin.check_password(demo.stored_logins().admin_password)


def test_the_stored_logins_are_encrypted_and_private(capsys, var_dir):
    load_demo(capsys)
    stored = (var_dir / demo.LOGINS_FILE).read_text()
    logins = demo.stored_logins()
    assert logins.tenant_key not in stored
    assert logins.admin_password not in stored
    assert (var_dir / demo.LOGINS_FILE).stat().st_mode & 0o777 == 0o600


def test_the_banner_waits_for_the_web_server_and_says_which_did_not_start():
    with pytest.raises(CommandError, match="the web server did not start"):
        call_command("demo_banner", "--port", "9", "--timeout", "1")


def test_the_banner_prints_the_logins_once_web_worker_and_beat_answer(
    capsys, live_server, celery_worker, var_dir
):
    load_demo(capsys)
    (var_dir / "celerybeat.pid").write_text(str(os.getpid()))  # this process stands for beat
    port = live_server.url.rsplit(":", 1)[1]

    call_command("demo_banner", "--port", port, "--timeout", "30")

    printed = capsys.readouterr().out
    assert demo.stored_logins().tenant_key in printed
    assert f"http://127.0.0.1:{port}/admin/" in printed
