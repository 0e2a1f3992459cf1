"""docker-compose.yml and S3 upload staging: what a production set-up with web, workers
and beat on separate hosts relies on."""

import os
import shutil
import subprocess
import sys

import pytest
import yaml
from django.conf import settings

COMPOSE_FILE = settings.BASE_DIR / "docker-compose.yml"
# What the file demands (`${VAR:?...}`); any value does for validating it.
REQUIRED = {"SECRET_KEY": "validate-only", "FIELD_ENCRYPTION_KEYS": "validate-only"}


def compose_command():
    """`docker compose` (the plugin), else the standalone `docker-compose`, else None."""
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


def test_docker_compose_file_is_valid():
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed here")
    env = {"PATH": os.environ["PATH"], **REQUIRED}
    result = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "config", "-q"],
        env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_compose_serves_plain_http_unless_told_otherwise():
    """Nothing in the file ends TLS, so redirecting to HTTPS by default would lock everyone out."""
    environment = yaml.safe_load(COMPOSE_FILE.read_text())["x-portal-env"]
    assert environment["PORTAL_HTTPS"] == "${PORTAL_HTTPS:-false}"


def test_the_image_user_owns_the_directories_compose_mounts():
    """A new named volume takes its owner from the image's directory; the image runs as
    `nobody`, so each mount point must be made and handed to it in the Dockerfile."""
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    mounts = {mount.split(":")[1] for mount in compose["x-portal"]["volumes"]}
    assert "USER nobody" in dockerfile
    for target in mounts:
        assert f"chown nobody:nogroup {target}" in dockerfile, target
    assert compose["x-portal-env"]["PORTAL_VAR_DIR"] in mounts


def test_staging_on_s3_builds_the_s3_storage():
    """With STAGING_S3_BUCKET set, uploads are staged through django-storages' S3 backend
    (boto3 installed); building it needs no S3 server yet."""
    script = (
        "import django; django.setup(); "
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket.name, "
        "s.connection.meta.client.meta.endpoint_url)"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_VAR_DIR": str(settings.VAR_DIR),
        "STAGING_S3_BUCKET": "portal-staging",
        "STAGING_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", "portal-staging", "http://127.0.0.1:9000"]
