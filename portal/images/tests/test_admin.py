import pytest

from portal.core.models import Task
from portal.images.models import Image
from portal.images.tests.factories import ImageFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/images/image/"


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


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
