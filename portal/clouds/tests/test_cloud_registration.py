"""A registered cloud is usable at once: admin, API and import_clouds_yaml queue its first
flavor, image, network and server pulls instead of leaving them to beat."""

import textwrap
from io import StringIO

import pytest
from django.core.management import call_command

from portal.clouds.models import Cloud
from portal.clouds.tests.factories import CloudFactory
from portal.core.models import Task

pytestmark = pytest.mark.django_db

FIRST_PULLS = {"flavors.sync", "images.sync", "network.sync", "servers.sync"}
SIMULATOR = {"name": "sim-new", "kind": "simulator", "region": "region-new", "password": "x"}


def pulls_of(cloud):
    return Task.objects.filter(target_type="cloud", target_id=str(cloud.pk))


def queued_pulls(cloud):
    return set(pulls_of(cloud).filter(state=Task.State.QUEUED).values_list("kind", flat=True))


def test_the_api_queues_the_first_pulls(staff_client):
    answer = staff_client.post("/api/v1/clouds", SIMULATOR, format="json")

    assert answer.status_code == 201, answer.content
    cloud = Cloud.objects.get(name="sim-new")
    # ISOs are pulled from FTP servers: the new cloud has none yet.
    assert queued_pulls(cloud) == FIRST_PULLS
    assert set(pulls_of(cloud).values_list("requested_by", flat=True)) == {"staff:operator"}


def test_the_first_pulls_run_as_soon_as_the_cloud_is_saved(staff_client, run_commit_hooks):
    staff_client.post("/api/v1/clouds", SIMULATOR, format="json")

    cloud = Cloud.objects.get(name="sim-new")
    assert set(pulls_of(cloud).values_list("kind", "state")) == {
        (kind, Task.State.SUCCEEDED) for kind in FIRST_PULLS
    }


def test_the_admin_queues_the_first_pulls(admin_client):
    answer = admin_client.post(
        "/admin/clouds/cloud/add/",
        {
            **SIMULATOR,
            "enabled": "on",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "options": "{}",
        },
    )

    assert answer.status_code == 302, answer.content
    assert queued_pulls(Cloud.objects.get(name="sim-new")) == FIRST_PULLS


def test_import_clouds_yaml_queues_the_first_pulls_of_a_new_cloud_only(tmp_path):
    path = tmp_path / "clouds.yaml"
    path.write_text(
        textwrap.dedent(
            """
            clouds:
              lab:
                auth:
                  auth_url: https://keystone.lab.example:5000/v3
                  username: portal-admin
                  password: s3cret-Pa55
                  project_name: admin
                region_name: RegionOne
            """
        )
    )

    call_command("import_clouds_yaml", str(path), stdout=StringIO())
    cloud = Cloud.objects.get(name="lab")
    assert queued_pulls(cloud) == FIRST_PULLS
    assert set(pulls_of(cloud).values_list("requested_by", flat=True)) == {"system:manage.py"}

    call_command("import_clouds_yaml", str(path), stdout=StringIO())  # an update
    assert pulls_of(cloud).count() == len(FIRST_PULLS)


def test_changing_an_enabled_cloud_queues_nothing_enabling_one_does(staff_client):
    cloud = CloudFactory(enabled=False)
    url = f"/api/v1/clouds/{cloud.pk}"

    staff_client.patch(url, {"name": "renamed"}, format="json")
    assert not pulls_of(cloud).exists()

    staff_client.patch(url, {"enabled": True}, format="json")
    assert queued_pulls(cloud) == FIRST_PULLS

    staff_client.patch(url, {"name": "renamed again"}, format="json")
    assert pulls_of(cloud).count() == len(FIRST_PULLS)


def test_a_disabled_or_refused_registration_queues_nothing(staff_client):
    answer = staff_client.post("/api/v1/clouds", {**SIMULATOR, "enabled": False}, format="json")
    assert answer.status_code == 201
    assert not pulls_of(Cloud.objects.get(name="sim-new")).exists()

    duplicate = staff_client.post(
        "/api/v1/clouds", {**SIMULATOR, "name": "sim-other"}, format="json"
    )
    assert duplicate.status_code == 409
    assert not Task.objects.exists()
