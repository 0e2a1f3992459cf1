"""The migration that makes data disks cloud disks (servers 0012) gives every existing
disk a public id of its own, and unique ones."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("servers", "0011_quota_reservations_move_to_tenants")]
AFTER = [("servers", "0012_cloud_disks")]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_disks():
    apps = migrate(BEFORE)
    tenant = apps.get_model("tenants", "Tenant").objects.create(tenant_id="t-0000000001", name="a")
    cloud = apps.get_model("clouds", "Cloud").objects.create(name="c", region="r")
    volumes = apps.get_model("servers", "Volume").objects
    made = [volumes.create(cloud=cloud, tenant=tenant, size=n + 1).pk for n in range(3)]
    yield made
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_each_existing_disk_gets_an_id_of_its_own(old_disks):
    apps = migrate(AFTER)

    rows = apps.get_model("servers", "Volume").objects.filter(pk__in=old_disks)
    ids = [row.volume_id for row in rows]
    assert len(set(ids)) == 3
    assert all(len(volume_id) == 36 for volume_id in ids)
