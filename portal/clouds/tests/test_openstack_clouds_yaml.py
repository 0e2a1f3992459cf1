"""The import_clouds_yaml command: register or update an OpenStack cloud from clouds.yaml."""

import textwrap
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from portal.clouds.models import Cloud
from portal.clouds.tests.factories import CloudFactory

pytestmark = pytest.mark.django_db

CLOUDS_YAML = textwrap.dedent(
    """
    clouds:
      lab:
        auth:
          auth_url: https://keystone.lab.example:5000/v3
          username: portal-admin
          password: s3cret-Pa55
          project_name: admin
          user_domain_name: Default
          project_domain_name: Default
        region_name: RegionOne
        interface: internal
        verify: false
      other:
        auth:
          auth_url: https://keystone.other.example/v3
          username: someone
          password: other-pass
          domain_name: Corp
        region_name: East
    """
)


@pytest.fixture
def clouds_yaml(tmp_path):
    path = tmp_path / "clouds.yaml"
    path.write_text(CLOUDS_YAML)
    return path


def run(*args) -> str:
    out = StringIO()
    call_command("import_clouds_yaml", *map(str, args), stdout=out)
    return out.getvalue()


def test_registers_a_cloud_and_never_prints_the_password(clouds_yaml):
    output = run(clouds_yaml, "--cloud", "lab")

    cloud = Cloud.objects.get(name="lab")
    assert "Registered cloud 'lab'" in output
    assert "s3cret-Pa55" not in output
    assert (cloud.kind, cloud.region, cloud.region_name) == ("openstack", "RegionOne", "RegionOne")
    assert (cloud.username, cloud.password, cloud.project_name) == (
        "portal-admin",
        "s3cret-Pa55",
        "admin",
    )
    assert cloud.verify_tls is False
    assert cloud.options == {"interface": "internal"}
    with connection.cursor() as cursor:  # stored encrypted
        cursor.execute("SELECT password FROM clouds_cloud WHERE id = %s", [cloud.pk])
        assert "s3cret-Pa55" not in cursor.fetchone()[0]


def test_updates_an_existing_cloud_and_makes_it_the_default(clouds_yaml):
    CloudFactory(name="sim-default", is_default=True)
    run(clouds_yaml, "--cloud", "other", "--region", "east-1")
    output = run(clouds_yaml, "--cloud", "other", "--default")

    cloud = Cloud.objects.get(name="other")
    assert output.startswith("Updated cloud 'other'")
    assert "default cloud" in output
    assert (cloud.region, cloud.is_default) == ("east-1", True)
    assert (cloud.user_domain_name, cloud.project_domain_name) == ("Corp", "Corp")
    assert Cloud.objects.default() == cloud


def test_several_clouds_need_a_name(clouds_yaml):
    with pytest.raises(CommandError, match="several clouds"):
        run(clouds_yaml)
    with pytest.raises(CommandError, match="no cloud 'nope'"):
        run(clouds_yaml, "--cloud", "nope")


def test_an_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run(tmp_path / "missing.yaml")
