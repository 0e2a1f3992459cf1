import pytest

from portal.core.models import Task
from portal.images.models import Image
from portal.images.tests.factories import ImageFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/images/image/"


def test_changelist_with_search_and_filters(cloud, admin_client):
    ImageFactory(cloud=cloud, name="Ubuntu 24.04")
    ImageFactory(cloud=cloud, name="Windows", enabled=False)
    response = admin_client.get(CHANGELIST, {"q": "ubuntu", "enabled__exact": "1"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    response = admin_client.get(CHANGELIST, {"missing_since__isempty": "1"})
    assert response.context["cl"].result_count == 2


def test_bulk_enable_and_disable(cloud, admin_client):
    images = ImageFactory.create_batch(2, cloud=cloud)
    pks = [image.pk for image in images]
    admin_client.post(CHANGELIST, {"action": "disable", "_selected_action": pks})
    assert not Image.objects.filter(enabled=True).exists()
    admin_client.post(CHANGELIST, {"action": "enable", "_selected_action": pks[:1]})
    assert list(Image.objects.filter(enabled=True).values_list("pk", flat=True)) == pks[:1]


def test_sync_now_queues_one_sync_per_cloud_of_the_selection(cloud, admin_client):
    images = ImageFactory.create_batch(2, cloud=cloud)
    response = admin_client.post(
        CHANGELIST, {"action": "sync_now", "_selected_action": [i.pk for i in images]}
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.kind, task.target_id, task.requested_by) == (
        "images.sync", str(cloud.pk), "staff:operator",
    )  # fmt: skip


def test_change_form_edits_only_the_portal_flag(cloud, admin_client):
    image = ImageFactory(cloud=cloud, name="Ubuntu")
    url = f"{CHANGELIST}{image.pk}/change/"
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"enabled": "", "name": "renamed"})
    image.refresh_from_db()
    assert (image.enabled, image.name) == (False, "Ubuntu")


def test_images_are_not_added_or_deleted_here(cloud, admin_client):
    image = ImageFactory(cloud=cloud)
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{image.pk}/delete/").status_code == 403


# ---- the upload page ----------------------------------------------------------------


def test_changelist_links_to_the_upload_page(cloud, admin_client):
    response = admin_client.get(CHANGELIST)
    assert b'href="/admin/images/image/upload/"' in response.content


def test_upload_page_renders_the_form_and_its_script(cloud, admin_client):
    response = admin_client.get(CHANGELIST + "upload/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "portal/image-upload.js" in page
    assert 'data-api-url="/api/v1/images"' in page
    assert 'data-tasks-url="/api/v1/tasks/"' in page
    for name in ("image_name", "image_diskformat", "image_containerformat", "min_disk",
                 "min_ram", "os_type", "os_version", "description", "region", "file"):  # fmt: skip
        assert f'name="{name}"' in page
    assert f'<option value="{cloud.region}"' in page


def test_upload_page_is_for_staff_only(cloud, client, django_user_model):
    user = django_user_model.objects.create_user("someone", password="pw")
    client.force_login(user)
    response = client.get(CHANGELIST + "upload/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_pages_script_flow_with_session_and_csrf(cloud, staff_user, run_commit_hooks):
    """What image-upload.js does: the admin session and the page's CSRF token."""
    from django.test import Client

    from portal.images.tests.uploads import METADATA, qcow2_bytes

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    page = client.get(CHANGELIST + "upload/")
    token = page.context["csrf_token"]
    assert (
        client.post("/api/v1/images", METADATA, content_type="application/json").status_code == 403
    )
    created = client.post(
        "/api/v1/images", METADATA, content_type="application/json", HTTP_X_CSRFTOKEN=str(token)
    )
    assert created.status_code == 201
    image_id = created.json()["image_id"]
    data = qcow2_bytes(1000)
    for start in (0, 500):
        response = client.generic(
            "PUT", f"/api/v1/images/{image_id}/file", data[start : start + 500],
            content_type="application/octet-stream", HTTP_X_CSRFTOKEN=str(token),
            HTTP_CONTENT_RANGE=f"bytes {start}-{start + 499}/1000",
        )  # fmt: skip
    assert response.status_code == 202
    task = client.get(f"/api/v1/tasks/{response.json()['task']['task_id']}").json()
    assert (task["state"], task["progress"]) == ("succeeded", 100)
    assert Image.objects.get(image_id=image_id).status == "active"
