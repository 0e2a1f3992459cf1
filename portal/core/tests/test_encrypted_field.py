import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from portal.clouds.models import Cloud
from portal.clouds.tests.factories import CloudFactory

pytestmark = pytest.mark.django_db


def stored_password(cloud):
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM clouds_cloud WHERE id = %s", [cloud.pk])
        return cursor.fetchone()[0]


def test_secret_is_encrypted_at_rest_and_readable_in_python():
    cloud = CloudFactory(password="s3cret-admin-pw")
    raw = stored_password(cloud)
    assert "s3cret" not in raw
    assert raw.startswith("gAAAA")  # a Fernet token
    assert Cloud.objects.get(pk=cloud.pk).password == "s3cret-admin-pw"


def test_each_write_gets_a_fresh_token():
    first = CloudFactory(password="same")
    second = CloudFactory(password="same")
    assert stored_password(first) != stored_password(second)


def test_key_rotation_keeps_old_secrets_readable_and_rewrites_them(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    cloud = CloudFactory(password="rotate-me")
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    assert Cloud.objects.get(pk=cloud.pk).password == "rotate-me"  # old key still decrypts
    call_command("rotate_encryption_keys", stdout=io.StringIO())

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key can now be dropped
    assert Cloud.objects.get(pk=cloud.pk).password == "rotate-me"
    assert Fernet(new_key).decrypt(stored_password(cloud).encode()) == b"rotate-me"


def test_a_missing_key_is_a_clear_configuration_error(settings):
    cloud = CloudFactory(password="lost")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="rotate_encryption_keys") as excinfo:
        Cloud.objects.get(pk=cloud.pk)
    assert "lost" not in str(excinfo.value)


def test_a_malformed_key_is_refused(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="Fernet"):
        CloudFactory(password="x")
