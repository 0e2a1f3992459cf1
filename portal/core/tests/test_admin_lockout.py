"""Admin logins: django-axes locks a username out from an address after repeated failures."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/?next=/admin/"


def log_in(client, password, username="operator", address="10.1.1.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_right_password_logs_in(client, staff_user):
    response = log_in(client, "pw")

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_repeated_failures_lock_the_username_out_from_that_address(client, staff_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200  # the form again, with an error

    locked = log_in(client, "wrong")

    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content
    # Even the right password is refused while the lock lasts...
    assert log_in(client, "pw").status_code == 429
    assert "_auth_user_id" not in client.session
    # ...but only for that username from that address.
    assert log_in(client, "pw", address="10.1.1.2").status_code == 302


def test_the_limit_comes_from_the_settings(client, staff_user, settings):
    settings.AXES_FAILURE_LIMIT = 2

    assert log_in(client, "wrong").status_code == 200
    assert log_in(client, "wrong").status_code == 429
    assert AccessAttempt.objects.get(username="operator").failures_since_start == 2


def test_a_success_resets_the_count(client, staff_user, settings):
    settings.AXES_FAILURE_LIMIT = 2

    log_in(client, "wrong")
    assert log_in(client, "pw").status_code == 302
    client.logout()

    assert log_in(client, "wrong").status_code == 200
    assert log_in(client, "pw").status_code == 302


def test_a_forced_login_is_not_counted(admin_client):
    # force_login (the tests' sessions) bypasses the backends, axes included.
    assert admin_client.get("/admin/").status_code == 200
    assert not AccessAttempt.objects.exists()
