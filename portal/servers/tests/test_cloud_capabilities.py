"""What an Azure cloud cannot do (clouds.capabilities, issue 19) is refused with 422
`not_supported_by_cloud` before anything is written: no Task, no lock, no quota held. And
it is not offered: `available_actions`, the admin's buttons and menus leave it out. The
servers are rows only: no Azure driver is needed, as nothing reaches a job."""

import pytest
from django.urls import reverse

from portal.clouds.capabilities import UNSUPPORTED
from portal.clouds.tests.factories import AzureCloudFactory
from portal.core.models import Task
from portal.servers.admin.server_list import menu_items
from portal.servers.locking import available_actions
from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory
from portal.servers.tests.test_instances import LIST, detail
from portal.tenants.models import QuotaReservation

pytestmark = pytest.mark.django_db

AZURE_SAYS = UNSUPPORTED["azure"]


@pytest.fixture
def azure():
    return AzureCloudFactory(options={"availability_zones": ["1", "2"]})


@pytest.fixture
def azure_server(azure, tenant):
    return ServerFactory(cloud=azure, tenant=tenant)


def counts():
    """What a request writes when it is accepted."""
    return Task.objects.count(), QuotaReservation.objects.count(), Server.objects.count()


def assert_refused(answer, operation):
    assert answer.status_code == 422, answer.content
    error = answer.json()["error"]
    assert (error["code"], error["message"]) == ("not_supported_by_cloud", AZURE_SAYS[operation])


@pytest.mark.parametrize(
    "operate_type", ["suspend", "resume", "pause", "unpause", "lock", "unlock"]
)
def test_operations_azure_cannot_do_are_refused_before_any_task(
    staff_client, azure_server, operate_type
):
    before = counts()

    answer = staff_client.post(
        detail(azure_server.instance_id, "operate"), {"operate_type": operate_type}, format="json"
    )

    assert_refused(answer, operate_type)
    assert counts() == before
    azure_server.refresh_from_db()
    assert (azure_server.locked, azure_server.current_task) == (False, None)


def test_a_tenant_is_refused_suspend_too_but_may_stop(client_of_tenant, azure_server):
    url = detail(azure_server.instance_id, "operate")

    assert_refused(
        client_of_tenant.post(url, {"operate_type": "suspend"}, format="json"), "suspend"
    )
    assert not Task.objects.exists()
    stopped = client_of_tenant.post(url, {"operate_type": "stop"}, format="json")
    assert stopped.status_code == 202, stopped.content
    assert Task.objects.get().action == "stop"


@pytest.mark.parametrize(
    ("action", "operation"), [("console", "console"), ("console-log", "console_log")]
)
def test_consoles_are_refused_before_any_task(client_of_tenant, azure_server, action, operation):
    answer = client_of_tenant.get(detail(azure_server.instance_id, action))

    assert_refused(answer, operation)
    assert not Task.objects.exists()


@pytest.mark.parametrize("decision", ["confirm", "revert"])
def test_confirming_or_reverting_a_resize_is_refused(staff_client, azure, decision):
    server = ServerFactory(cloud=azure, status=Server.Status.RESIZED, runtime_state="VERIFY_RESIZE")

    answer = staff_client.post(detail(server.instance_id, f"resize-{decision}"))

    assert_refused(answer, decision)
    assert not Task.objects.exists()
    server.refresh_from_db()
    assert not server.locked


def create_body(cloud, **changes):
    return {
        "region": cloud.region, "flavor_ref": "Standard_B2s", "image_ref": "ubuntu-22.04",
        "network_uuid": "subnet-1", "instance_name": "web-1", **changes,
    }  # fmt: skip


def test_a_zone_the_azure_cloud_does_not_map_is_refused_before_anything_is_written(
    client_of_tenant, azure
):
    before = counts()

    answer = client_of_tenant.post(
        LIST, create_body(azure, availability_zone="nova"), format="json"
    )

    assert_refused(answer, "availability_zone")
    assert answer.json()["error"]["fields"] == {
        "availability_zone": [AZURE_SAYS["availability_zone"]]
    }
    assert counts() == before


@pytest.mark.parametrize("zone", ["", "2"])
def test_a_mapped_zone_or_none_goes_on_to_the_next_checks(client_of_tenant, azure, zone):
    answer = client_of_tenant.post(LIST, create_body(azure, availability_zone=zone), format="json")

    # The tenant is not set up in this region yet: the next check refuses, not this one.
    assert answer.status_code == 409, answer.content
    assert answer.json()["error"]["code"] == "tenant_not_ready"


def test_an_azure_cloud_with_no_mapped_zones_refuses_every_zone(client_of_tenant):
    cloud = AzureCloudFactory(options={"availability_zones": "1"})  # not a list: maps nothing

    answer = client_of_tenant.post(LIST, create_body(cloud, availability_zone="1"), format="json")

    assert_refused(answer, "availability_zone")


# ---- not offered -------------------------------------------------------------------------


def test_available_actions_leave_out_what_azure_cannot_do(azure_server, cloud):
    simulated = ServerFactory(cloud=cloud)

    assert available_actions(azure_server, operator=True) == [
        "stop", "softreboot", "hardreboot", "resize", "delete",
    ]  # fmt: skip
    assert {"suspend", "pause", "lock"} <= set(available_actions(simulated, operator=True))
    resized = ServerFactory(cloud=azure_server.cloud, status=Server.Status.RESIZED)
    assert available_actions(resized, operator=True) == ["delete"]


def test_the_api_lists_only_what_azure_can_do(client_of_tenant, azure_server):
    azure_server.runtime_state = "SHUTOFF"
    azure_server.save()

    answer = client_of_tenant.get(detail(azure_server.instance_id))

    assert answer.json()["available_actions"] == ["start", "hardreboot", "resize", "delete"]


def test_the_admin_offers_no_suspend_nor_console_on_azure(admin_client, azure_server):
    menu = menu_items(available_actions(azure_server, operator=True))
    assert [target for _kind, _label, target in menu] == [
        "stop", "softreboot", "hardreboot", "admin:servers_server_resize", "delete",
    ]  # fmt: skip
    page = admin_client.get(reverse("admin:servers_server_change", args=[azure_server.pk]))

    html = page.content.decode()
    operate = reverse("admin:servers_server_operate", args=[azure_server.pk, "suspend"])
    assert operate not in html
    assert operate.replace("suspend", "stop") in html
    assert reverse("admin:servers_server_console", args=[azure_server.pk]) not in html


def test_the_admin_says_why_when_asked_anyway(admin_client, azure_server):
    url = reverse("admin:servers_server_operate", args=[azure_server.pk, "suspend"])

    answer = admin_client.post(url, follow=True)

    said = [str(message) for message in answer.context["messages"]]
    assert said == [f"{azure_server.name}: {AZURE_SAYS['suspend']}"]
    assert not Task.objects.exists()
