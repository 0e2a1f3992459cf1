"""The server page's buttons (power, resize with a flavor picker, confirm or revert,
delete): all through the services, as the API ("Create server": test_create_wizard.py)."""

import pytest

from portal.clouds.simulator.driver import SimulatorDriver
from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory
from portal.servers.tests.test_instances import create
from portal.tenants import quotas

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

CHANGELIST = "/admin/servers/server/"
CREATE = f"{CHANGELIST}create/"


@pytest.fixture
def server(identity, client_of_tenant, create_body):
    answer = create(client_of_tenant, create_body())
    return Server.objects.get(instance_id=answer["instance_id"])


def page(server, suffix=""):
    return f"{CHANGELIST}{server.pk}/{suffix}"


def press(admin_client, server, operation):
    return admin_client.post(page(server, f"operate/{operation}/"), follow=True)


def test_the_changelist_offers_create_server(admin_client, cloud):
    assert CREATE in admin_client.get(CHANGELIST).content.decode()


def test_the_server_page_shows_its_buttons(admin_client, server):
    content = admin_client.get(page(server, "change/")).content.decode()
    for operation in ("stop", "softreboot", "delete"):
        assert page(server, f"operate/{operation}/") in content
    assert page(server, "resize/") in content


def test_power_buttons(admin_client, server, cloud):
    press(admin_client, server, "stop")
    server.refresh_from_db()
    assert server.runtime_state == "SHUTOFF"
    response = press(admin_client, server, "stop")  # not possible now: said, not done
    assert "shut off" in response.content.decode()  # the cloud's SHUTOFF, by its label
    press(admin_client, server, "start")
    server.refresh_from_db()
    assert server.runtime_state == "ACTIVE"


def test_resize_with_the_flavor_picker(admin_client, server, catalog, tenant, cloud):
    response = admin_client.get(page(server, "resize/"))
    offered = list(response.context["form"].fields["flavor"].queryset)
    assert catalog["flavor_rows"]["m1.small"] not in offered  # its flavor now
    assert catalog["flavor_rows"]["m1.medium"] in offered

    medium = catalog["flavor_rows"]["m1.medium"]
    response = admin_client.post(page(server, "resize/"), {"flavor": medium.pk})

    assert response.status_code == 302
    server.refresh_from_db()
    assert (server.flavor_name, server.runtime_state) == ("m1.medium", "ACTIVE")
    assert quotas.usage_of(tenant)["cores"] == medium.vcpus


def test_confirm_and_revert_buttons_of_a_resize_left_for_confirmation(
    admin_client, server, catalog, tenant, cloud
):
    cloud.options = {**cloud.options, "resize_confirm": "manual"}
    cloud.save(update_fields=["options"])
    large = catalog["flavor_rows"]["m1.large"]
    admin_client.post(page(server, "resize/"), {"flavor": large.pk})
    content = admin_client.get(page(server, "change/")).content.decode()
    assert page(server, "operate/confirm/") in content

    press(admin_client, server, "revert")

    server.refresh_from_db()
    assert (server.status, server.flavor_name) == ("ready", "m1.small")
    info = SimulatorDriver(cloud).compute.get_server(server.backend_id)
    assert info.flavor_id == catalog["flavors"]["m1.small"]
    admin_client.post(page(server, "resize/"), {"flavor": large.pk})
    press(admin_client, server, "confirm")
    server.refresh_from_db()
    assert (server.status, server.flavor_name) == ("ready", "m1.large")


def test_delete_button(admin_client, server):
    press(admin_client, server, "delete")
    server.refresh_from_db()
    assert server.status == Server.Status.DELETED
    # What the cloud now holds of it, not the last state it had while it lived.
    assert (server.runtime_state, server.power_state, server.addresses) == ("DELETED", "", {})


def test_the_list_hides_deleted_servers_unless_asked(admin_client, server, cloud, tenant):
    gone = ServerFactory(cloud=cloud, tenant=tenant, name="gone-1", status=Server.Status.DELETED)

    default = admin_client.get(CHANGELIST).content.decode()
    everything = admin_client.get(CHANGELIST, {"status": "all"}).content.decode()
    deleted_only = admin_client.get(CHANGELIST, {"status": "deleted"}).content.decode()

    assert server.name in default
    assert gone.name not in default
    assert gone.name in everything
    assert server.name in everything
    assert gone.name in deleted_only
    assert server.name not in deleted_only


def test_unknown_operation_is_404(admin_client, cloud, tenant):
    server = ServerFactory(cloud=cloud, tenant=tenant)
    assert admin_client.post(page(server, "operate/explode/")).status_code == 404


def test_the_server_page_never_shows_the_admin_password(client, staff_user, tenant, cloud):
    from portal.servers.tests.factories import ServerFactory

    server = ServerFactory(
        tenant=tenant, cloud=cloud, admin_pass="S3cret-pass!", security_group_names=["a", "b"]
    )
    client.force_login(staff_user)
    page = client.get(f"/admin/servers/server/{server.pk}/change/").content.decode()
    assert "S3cret-pass!" not in page
    assert "a, b" in page
