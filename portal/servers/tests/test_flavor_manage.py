"""Flavors changed and deleted from the admin: the tenants a non-public
flavor is shared with, and deletion in the cloud; refusals and cloud failures."""

import pytest

from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.core.errors import Conflict, ValidationFailed
from portal.core.models import Task
from portal.core.services import create_task
from portal.servers import flavors, tasks
from portal.servers.models import Flavor, Server
from portal.servers.tests.factories import FlavorFactory, ServerFactory, make_identity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


@pytest.fixture
def gold(cloud, tenant):
    """A non-public flavor made through the portal, shared with `tenant`."""
    make_identity(tenant, cloud)
    request = flavors.FlavorRequest(
        name="gold", vcpus=2, ram=4096, disk=20, extra_specs={}, is_public=False,
        tenants=(tenant,),
    )  # fmt: skip
    flavors.create_flavor(cloud, request, actor="staff:alice")
    return Flavor.objects.get(cloud=cloud, name="gold")


def cloud_access(flavor):
    return set(SimulatorDriver(flavor.cloud).compute.list_flavor_access(flavor.backend_id))


def project_of(tenant):
    return tenant.identities.get().project_id


def test_sharing_is_changed_in_the_cloud_and_mirrored(gold, tenant, other_tenant):
    make_identity(other_tenant, gold.cloud)
    task = flavors.share_flavor(gold, [other_tenant], actor="staff:alice")
    task.refresh_from_db()
    assert (task.kind, task.state) == ("flavors.share", Task.State.SUCCEEDED)
    assert cloud_access(gold) == {project_of(other_tenant)}
    assert list(gold.shared_with.all()) == [other_tenant]


def test_the_clouds_own_projects_keep_their_access(gold, tenant):
    SimulatorDriver(gold.cloud).compute.add_flavor_access(gold.backend_id, "ops-project")
    flavors.share_flavor(gold, [], actor="staff:alice")
    assert cloud_access(gold) == {"ops-project"}
    assert not gold.shared_with.exists()


def test_a_failed_revoke_undoes_the_grant(gold, tenant, other_tenant):
    make_identity(other_tenant, gold.cloud)
    inject_fault(gold.cloud, "compute.remove_flavor_access", mode="unavailable")
    task = flavors.share_flavor(gold, [other_tenant], actor="staff:alice")
    task.refresh_from_db()
    assert (task.state, task.error_code) == (Task.State.FAILED, "unavailable")
    assert cloud_access(gold) == {project_of(tenant)}
    assert list(gold.shared_with.all()) == [tenant]


def test_sharing_refusals(cloud, gold, other_tenant):
    with pytest.raises(ValidationFailed) as refused:  # not set up in this cloud
        flavors.share_flavor(gold, [other_tenant], actor="staff:alice")
    assert "shared_with" in refused.value.fields
    public = FlavorFactory(cloud=cloud)
    with pytest.raises(ValidationFailed):
        flavors.share_flavor(public, [], actor="staff:alice")
    assert not Task.objects.filter(kind="flavors.share").exists()


def test_a_flavor_is_deleted_in_the_cloud_and_here(gold):
    task = flavors.delete_flavor(gold, actor="staff:alice")
    task.refresh_from_db()
    assert (task.kind, task.state) == ("flavors.delete", Task.State.SUCCEEDED)
    names = {f.name for f in SimulatorDriver(gold.cloud).compute.list_flavors()}
    assert "gold" not in names
    assert not Flavor.objects.filter(pk=gold.pk).exists()


def test_a_flavor_in_use_is_not_deleted(gold, tenant):
    server = ServerFactory(cloud=gold.cloud, tenant=tenant, flavor_ref=gold.backend_id)
    with pytest.raises(Conflict) as refused:
        flavors.delete_flavor(gold, actor="staff:alice")
    assert refused.value.code == "flavor_in_use"
    Server.objects.filter(pk=server.pk).update(status=Server.Status.DELETED)
    flavors.delete_flavor(gold, actor="staff:alice")
    assert not Flavor.objects.filter(pk=gold.pk).exists()


def test_cloud_down_keeps_the_flavor(gold):
    inject_fault(gold.cloud, "compute.delete_flavor", mode="unavailable")
    task = flavors.delete_flavor(gold, actor="staff:alice")
    task.refresh_from_db()
    assert (task.state, task.error_code) == (Task.State.FAILED, "unavailable")
    assert Flavor.objects.filter(pk=gold.pk).exists()
    assert "gold" in {f.name for f in SimulatorDriver(gold.cloud).compute.list_flavors()}


def test_the_admin_share_page_and_delete_button(admin_client, gold, tenant, other_tenant):
    make_identity(other_tenant, gold.cloud)
    page = f"/admin/servers/flavor/{gold.pk}/"
    content = admin_client.get(f"{page}change/").content.decode()
    assert f"{page}share/" in content
    assert f"{page}delete-in-cloud/" in content
    assert admin_client.get(f"{page}share/").status_code == 200
    response = admin_client.post(f"{page}share/", {"shared_with": [tenant.pk, other_tenant.pk]})
    assert response.status_code == 302
    assert set(gold.shared_with.all()) == {tenant, other_tenant}
    ServerFactory(cloud=gold.cloud, tenant=tenant, flavor_ref=gold.backend_id)
    response = admin_client.post(f"{page}delete-in-cloud/", follow=True)
    assert "in use" in response.content.decode()
    assert Flavor.objects.filter(pk=gold.pk).exists()


def test_the_job_checks_again_that_nothing_uses_the_flavor(gold, tenant):
    """A server made between the request and the job keeps the flavor alive."""
    task = create_task(flavors.FLAVOR_DELETE_KIND, target_type="flavor", target_id=gold.pk)
    ServerFactory(cloud=gold.cloud, tenant=tenant, flavor_ref=gold.backend_id)
    tasks.delete_flavor(task.pk, gold.pk)
    task.refresh_from_db()
    assert (task.state, task.error_code) == (Task.State.FAILED, "flavor_in_use")
    assert "gold" in {f.name for f in SimulatorDriver(gold.cloud).compute.list_flavors()}


def test_a_flavor_gone_before_the_job_fails_its_task(gold):
    task = create_task(flavors.FLAVOR_SHARE_KIND, target_type="flavor", target_id=gold.pk)
    Flavor.objects.filter(pk=gold.pk).delete()
    tasks.share_flavor(task.pk, gold.pk, [])
    task.refresh_from_db()
    assert (task.state, task.error_code) == (Task.State.FAILED, "not_found")
