import pytest

from portal.clouds.simulator.faults import inject_fault
from portal.core.models import Task
from portal.images.models import Image, UploadState
from portal.images.tests.factories import ImageFactory
from portal.images.tests.uploads import (
    cloud_images,
    create_image,
    put_file,
    qcow2_bytes,
    staged_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploaded(cloud, staff_client, run_commit_hooks):
    image_id = create_image(staff_client)["image_id"]
    assert put_file(staff_client, image_id, qcow2_bytes()).status_code == 202
    return Image.objects.get(image_id=image_id)


def test_delete_removes_the_image_from_the_cloud_then_the_portal(
    cloud, staff_client, uploaded, run_commit_hooks
):
    assert cloud_images(cloud).filter(backend_id=uploaded.backend_id).exists()
    response = staff_client.delete(f"/api/v1/images/{uploaded.image_id}")
    assert response.status_code == 202
    assert response.json()["task"]["state"] == "succeeded"
    assert not cloud_images(cloud).exists()
    assert not Image.objects.filter(pk=uploaded.pk).exists()


def test_platform_key_deletes_too(cloud, platform_client, uploaded, run_commit_hooks):
    assert platform_client.delete(f"/api/v1/images/{uploaded.image_id}").status_code == 202
    assert not Image.objects.filter(pk=uploaded.pk).exists()


def test_synced_image_is_refused_with_a_reason(cloud, staff_client, run_commit_hooks):
    image = ImageFactory(cloud=cloud)
    response = staff_client.delete(f"/api/v1/images/{image.image_id}")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "synced_image"
    assert "synced from the cloud" in error["message"]
    assert Image.objects.filter(pk=image.pk).exists()
    assert not Task.objects.filter(kind="images.delete").exists()


def test_tenants_may_not_delete(cloud, client_of_tenant, uploaded):
    assert client_of_tenant.delete(f"/api/v1/images/{uploaded.image_id}").status_code == 403
    assert client_of_tenant.delete("/api/v1/images/unknown").status_code == 403


def test_unknown_image_is_not_found(cloud, staff_client):
    assert staff_client.delete("/api/v1/images/unknown").status_code == 404


def test_refused_while_the_transfer_runs(cloud, staff_client):
    image = ImageFactory(
        cloud=cloud, origin="uploaded", upload_state=UploadState.TRANSFERRING, status="saving"
    )
    response = staff_client.delete(f"/api/v1/images/{image.image_id}")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "upload_in_progress"


def test_cloud_failure_keeps_the_image_as_it_was(cloud, staff_client, uploaded, run_commit_hooks):
    inject_fault(cloud, "images.delete_image", mode="unavailable")
    response = staff_client.delete(f"/api/v1/images/{uploaded.image_id}")
    assert response.status_code == 202
    task = response.json()["task"]
    assert (task["state"], task["error_code"]) == ("failed", "unavailable")
    image = Image.objects.get(pk=uploaded.pk)
    assert (image.upload_state, image.status) == (UploadState.ACTIVE, "active")
    assert cloud_images(cloud).filter(backend_id=image.backend_id).exists()
    # Once the cloud answers again, the deletion goes through.
    assert staff_client.delete(f"/api/v1/images/{image.image_id}").status_code == 202
    assert not Image.objects.filter(pk=image.pk).exists()


def test_image_already_gone_from_the_cloud_is_deleted(
    cloud, staff_client, uploaded, run_commit_hooks
):
    cloud_images(cloud).delete()
    assert staff_client.delete(f"/api/v1/images/{uploaded.image_id}").status_code == 202
    assert not Image.objects.filter(pk=uploaded.pk).exists()


def test_upload_cut_off_halfway_is_cleaned_by_delete(
    cloud, staff_client, run_commit_hooks, staging_storage
):
    data = qcow2_bytes(200_000)
    image_id = create_image(staff_client)["image_id"]
    put_file(staff_client, image_id, data[:100_000], "bytes 0-99999/200000")
    assert len(staged_files(staging_storage)) == 1
    response = staff_client.delete(f"/api/v1/images/{image_id}")
    assert response.status_code == 202
    assert response.json()["task"]["state"] == "succeeded"
    assert staged_files(staging_storage) == []
    assert not Image.objects.filter(image_id=image_id).exists()
    assert not cloud_images(cloud).exists()


def test_no_more_pieces_once_deletion_started(cloud, staff_client, staging_storage):
    # Without commit hooks the deletion job never runs: the image stays "deleting".
    data = qcow2_bytes(200)
    image_id = create_image(staff_client)["image_id"]
    put_file(staff_client, image_id, data[:100], "bytes 0-99/200")
    assert staff_client.delete(f"/api/v1/images/{image_id}").status_code == 202
    response = put_file(staff_client, image_id, data[100:], "bytes 100-199/200")
    assert response.status_code == 409
    assert staff_client.delete(f"/api/v1/images/{image_id}").status_code == 409


def test_failed_upload_can_be_deleted(cloud, staff_client, run_commit_hooks):
    inject_fault(cloud, "images.upload_image_data", mode="bad_request")
    image_id = create_image(staff_client)["image_id"]
    put_file(staff_client, image_id, qcow2_bytes())
    assert staff_client.delete(f"/api/v1/images/{image_id}").status_code == 202
    assert not Image.objects.filter(image_id=image_id).exists()


# ---- the admin action ---------------------------------------------------------------


def test_admin_action_deletes_uploaded_and_explains_refusals(
    cloud, admin_client, uploaded, run_commit_hooks
):
    synced = ImageFactory(cloud=cloud, name="synced one")
    response = admin_client.post(
        "/admin/images/image/",
        {"action": "delete_uploaded", "_selected_action": [uploaded.pk, synced.pk]},
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert any(
        "synced one" in message and "synced from the cloud" in message for message in messages
    )
    assert any("1 image was queued" in message for message in messages)
    assert list(Image.objects.values_list("pk", flat=True)) == [synced.pk]
    assert not cloud_images(cloud).exists()


@pytest.fixture
def held_jobs(monkeypatch):
    """Deletion jobs queued but not yet run by a worker: `run()` runs them."""
    from portal.images import tasks, uploads

    queued = []
    monkeypatch.setattr(uploads, "enqueue", lambda task, name, *args: queued.append((task, args)))

    class Held:
        def run(self):
            while queued:
                task, args = queued.pop(0)
                tasks.delete_image(task.pk, *args)

    return Held()


def test_a_repeated_delete_while_its_job_waits_is_a_conflict(
    cloud, staff_client, uploaded, held_jobs
):
    url = f"/api/v1/images/{uploaded.image_id}"
    assert staff_client.delete(url).status_code == 202
    second = staff_client.delete(url)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "deleting"
    held_jobs.run()
    assert not Image.objects.filter(pk=uploaded.pk).exists()
    third = staff_client.delete(url)
    assert third.status_code == 404
    assert third.json()["error"]["code"] == "not_found"


def test_a_repeated_delete_racing_its_job_is_not_found(
    cloud, staff_client, uploaded, held_jobs, monkeypatch
):
    """The job ends between the second request's lookup and its own deletion request."""
    from portal.images.api.views import ImageViewSet

    url = f"/api/v1/images/{uploaded.image_id}"
    assert staff_client.delete(url).status_code == 202
    look_up = ImageViewSet.get_object

    def look_up_then_job_runs(view):
        image = look_up(view)
        held_jobs.run()
        return image

    monkeypatch.setattr(ImageViewSet, "get_object", look_up_then_job_runs)
    second = staff_client.delete(url)
    assert second.status_code == 404
    assert second.json()["error"]["code"] == "not_found"
    assert not Task.objects.filter(target_id=uploaded.image_id, state="queued").exists()
