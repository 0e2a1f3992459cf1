"""The admin lists of the network mirrors: read-only, searchable, and "Sync now" (security
groups, which the admin also makes and changes: test_security_group_admin.py)."""

import pytest

from portal.core.models import Task
from portal.network.models import Network
from portal.network.tests.factories import (
    AvailabilityZoneFactory,
    ComputeHostFactory,
    NetworkFactory,
)

pytestmark = pytest.mark.django_db

LISTS = {
    "network": NetworkFactory,
    "availabilityzone": AvailabilityZoneFactory,
    "computehost": ComputeHostFactory,
}


@pytest.mark.parametrize("model", LISTS)
def test_each_list_shows_and_finds_its_rows_and_edits_nothing(cloud, admin_client, model):
    row = LISTS[model](cloud=cloud)
    url = f"/admin/network/{model}/"
    page = admin_client.get(url, {"q": row.name})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [row]
    assert admin_client.get(f"{url}add/").status_code == 403
    assert admin_client.post(f"{url}{row.pk}/delete/").status_code == 403


def test_sync_now_queues_a_network_sync_of_the_selected_rows_clouds(
    cloud, admin_client, django_capture_on_commit_callbacks
):
    network = NetworkFactory(cloud=cloud)
    with django_capture_on_commit_callbacks(execute=False):
        answer = admin_client.post(
            "/admin/network/network/",
            {"action": "sync_now", "_selected_action": [network.pk]},
        )
    assert answer.status_code == 302
    task = Task.objects.get()
    assert (task.kind, task.target_id, task.requested_by) == (
        "network.sync", str(cloud.pk), "staff:operator",
    )  # fmt: skip
    assert Network.objects.count() == 1
