"""The image workflows against the local OpenStack's real Glance (scripts/openstack-lite):
the portal's services and Celery jobs (run eagerly) with the real driver.

    pytest -m openstack portal/images/tests/test_openstack_images.py

Every image is named `<RUN>-...` and removed at the end, whatever happens.
"""

import hashlib
import os
import uuid
from pathlib import Path

import pytest

from portal.clouds.drivers import get_driver
from portal.clouds.errors import CloudNotFound
from portal.clouds.openstack.clouds_yaml import import_cloud
from portal.clouds.openstack.images import ImageAPI
from portal.images import workflows
from portal.images.models import Image, UploadState
from portal.images.tests.uploads import METADATA, put_file

pytestmark = [pytest.mark.openstack, pytest.mark.django_db]

CLOUDS_YAML = Path(
    os.environ.get("OSLITE_CLOUDS_YAML", "~/.cache/portal-oslite/clouds.yaml")
).expanduser()
CLOUD_NAME = os.environ.get("OSLITE_CLOUD", "oslite-admin")
RUN = f"img{uuid.uuid4().hex[:6]}"
SIZE = 3 * 1024 * 1024 + 17


@pytest.fixture
def glance_cloud(db):
    if not CLOUDS_YAML.is_file():
        pytest.fail(f"no clouds.yaml at {CLOUDS_YAML}: start scripts/openstack-lite/up")
    return import_cloud(CLOUDS_YAML, CLOUD_NAME, region=f"{RUN}-region", make_default=True).cloud


@pytest.fixture
def glance(glance_cloud):
    """The admin driver; every image it still holds named after this run is deleted last."""
    driver = get_driver(glance_cloud)
    yield driver
    for info in driver.images.iter_images(status=None):
        if info.name.startswith(RUN):
            driver.images.delete_image(info.id)


def upload(client, name, data, pieces=2, **metadata):
    image_id = client.post(
        "/api/v1/images",
        {**METADATA, "image_name": name, "image_diskformat": "raw", **metadata},
        format="json",
    ).json()["image_id"]
    step = -(-len(data) // pieces)
    for start in range(0, len(data), step):
        end = min(start + step, len(data))
        response = put_file(
            client, image_id, data[start:end], f"bytes {start}-{end - 1}/{len(data)}"
        )
    return image_id, response


def test_upload_with_progress_then_delete(
    glance_cloud, glance, staff_client, run_commit_hooks, monkeypatch, staging_storage
):
    monkeypatch.setattr(workflows, "PROGRESS_EVERY_SECONDS", 0)
    reported = []
    real = workflows.report_progress
    monkeypatch.setattr(
        workflows, "report_progress", lambda task, p, m="": (reported.append(p), real(task, p, m))
    )
    data = os.urandom(SIZE)
    image_id, response = upload(staff_client, f"{RUN}-upload", data)
    assert response.status_code == 202
    task = response.json()["task"]
    assert task["state"] == "succeeded", task
    assert reported
    assert reported == sorted(reported)
    image = Image.objects.get(image_id=image_id)
    assert (image.upload_state, image.status, image.size) == (UploadState.ACTIVE, "active", SIZE)
    in_glance = glance.images.get_image(image.backend_id)
    assert (in_glance.status, in_glance.size) == ("active", SIZE)
    assert in_glance.checksum == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert in_glance.properties.get("os_type") == "linux"
    assert not list(staging_storage.rglob("*.part"))

    response = staff_client.delete(f"/api/v1/images/{image_id}")
    assert response.json()["task"]["state"] == "succeeded"
    assert not Image.objects.filter(image_id=image_id).exists()
    with pytest.raises(CloudNotFound):
        glance.images.get_image(image.backend_id)


def test_sync_disable_and_refused_deletion_of_a_synced_image(
    glance_cloud, glance, staff_client, client_of_tenant
):
    import io

    created = glance.images.create_image(f"{RUN}-synced", "raw", "bare", visibility="public")
    glance.images.upload_image_data(created.id, io.BytesIO(b"x" * 1024), 1024)
    counts = workflows.sync_images(glance_cloud, glance)
    assert counts.read >= 1
    image = Image.objects.get(cloud=glance_cloud, backend_id=created.id)
    assert (image.origin, image.status, image.size) == ("synced", "active", 1024)
    assert client_of_tenant.get(f"/api/v1/images/{image.image_id}").status_code == 200

    assert staff_client.post(f"/api/v1/images/{image.image_id}/disable").status_code == 200
    assert client_of_tenant.get(f"/api/v1/images/{image.image_id}").status_code == 404
    assert staff_client.post(f"/api/v1/images/{image.image_id}/enable").status_code == 200

    response = staff_client.delete(f"/api/v1/images/{image.image_id}")
    assert response.status_code == 409
    assert "synced from the cloud" in response.json()["error"]["message"]
    assert glance.images.get_image(created.id).status == "active"

    # A second pull of an unchanged cloud writes nothing for it.
    assert workflows.sync_images(glance_cloud, glance).updated == 0


def test_failed_transfer_leaves_no_image_in_glance(
    glance_cloud, glance, staff_client, run_commit_hooks, monkeypatch, staging_storage
):
    from portal.clouds.errors import CloudBadRequest

    def refuse(*args, **kwargs):
        raise CloudBadRequest("refused by the test")

    # The cloud image is really created in Glance; the data upload then fails. (The
    # driver's class: get_driver's sections are timing wrappers around it.)
    monkeypatch.setattr(ImageAPI, "upload_image_data", refuse)
    image_id, response = upload(staff_client, f"{RUN}-refused", os.urandom(4096), pieces=1)
    task = response.json()["task"]
    assert (task["state"], task["message"]) == ("failed", "refused by the test")
    assert Image.objects.get(image_id=image_id).upload_state == UploadState.FAILED
    assert not [i for i in glance.images.iter_images(status=None) if i.name == f"{RUN}-refused"]
    assert not list(staging_storage.rglob("*.part"))


@pytest.mark.parametrize("declared_right", [True, False])
def test_a_declared_checksum_is_checked_against_glances_own(
    glance_cloud, glance, staff_client, run_commit_hooks, staging_storage, declared_right
):
    data = os.urandom(SIZE)
    md5 = hashlib.md5(data if declared_right else data[1:], usedforsecurity=False).hexdigest()
    name = f"{RUN}-declared-{declared_right}"
    image_id, response = upload(staff_client, name, data, checksum=md5.upper())
    task = response.json()["task"]
    image = Image.objects.get(image_id=image_id)
    if declared_right:
        assert task["state"] == "succeeded", task
        assert glance.images.get_image(image.backend_id).checksum == image.checksum == md5
    else:
        assert (task["state"], task["error_code"]) == ("failed", "checksum_mismatch")
        assert image.upload_state == UploadState.FAILED
        assert not [i for i in glance.images.iter_images(status=None) if i.name == name]
    assert not list(staging_storage.rglob("*.part"))
