import pytest

from portal.core.models import Task
from portal.servers.models import Flavor
from portal.servers.tests.factories import FlavorFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/servers/flavor/"


def test_changelist_with_search_and_filters(cloud, admin_client):
    FlavorFactory(cloud=cloud, name="m1.small")
    FlavorFactory(cloud=cloud, name="gold", is_public=False)
    response = admin_client.get(CHANGELIST, {"q": "small"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    response = admin_client.get(CHANGELIST, {"is_public__exact": "0"})
    assert response.context["cl"].result_count == 1


def test_bulk_disable_and_sync_now(cloud, admin_client):
    flavors = FlavorFactory.create_batch(2, cloud=cloud)
    pks = [flavor.pk for flavor in flavors]
    admin_client.post(CHANGELIST, {"action": "disable", "_selected_action": pks})
    assert not Flavor.objects.filter(enabled=True).exists()
    admin_client.post(CHANGELIST, {"action": "enable", "_selected_action": pks})
    assert not Flavor.objects.filter(enabled=False).exists()
    admin_client.post(CHANGELIST, {"action": "sync_now", "_selected_action": pks})
    assert Task.objects.get().kind == "flavors.sync"


def test_change_form_edits_only_the_portal_flag(cloud, admin_client):
    flavor = FlavorFactory(cloud=cloud, vcpus=2)
    url = f"{CHANGELIST}{flavor.pk}/change/"
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"enabled": "", "vcpus": "64"})
    flavor.refresh_from_db()
    assert (flavor.enabled, flavor.vcpus) == (False, 2)
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
