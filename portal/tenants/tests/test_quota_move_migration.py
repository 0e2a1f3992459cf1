"""The move of quota reservations from the servers app to the tenants app (servers 0011,
tenants 0004) keeps what every existing row holds, and who holds it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("servers", "0010_runtime_state_labels"), ("tenants", "0003_identity_state")]
AFTER = [
    ("servers", "0011_quota_reservations_move_to_tenants"),
    ("tenants", "0004_quota_reservations"),
]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_rows():
    """A server holding its own quota, its data volume holding its own, and an
    operation's reservation held by nothing, made before the move."""
    apps = migrate(BEFORE)
    tenant = apps.get_model("tenants", "Tenant").objects.create(tenant_id="t-0000000001", name="a")
    cloud = apps.get_model("clouds", "Cloud").objects.create(name="c", region="r")
    server = apps.get_model("servers", "Server").objects.create(
        cloud=cloud, tenant=tenant, name="s", flavor_ref="f", flavor_name="f", vcpus=1, ram=512,
        image_ref="i", system_disk_size=5, network_id="n",
    )  # fmt: skip
    volume = apps.get_model("servers", "Volume").objects.create(
        cloud=cloud, tenant=tenant, server=server, size=10
    )
    reservations = apps.get_model("servers", "QuotaReservation").objects
    reservations.create(tenant=tenant, server=server, state="committed", instances=1, cores=1)
    reservations.create(tenant=tenant, server=server, volume=volume, state="committed", volumes=1)
    reservations.create(tenant=tenant, state="reserved", images=1)
    yield server.pk, volume.pk
    migrate(connection_leaves())


def connection_leaves():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_each_row_keeps_its_amounts_and_is_held_by_the_server_or_its_volume(old_rows):
    server_pk, volume_pk = old_rows
    apps = migrate(AFTER)

    rows = apps.get_model("tenants", "QuotaReservation").objects.order_by("pk")
    held = [
        (row.holder_type and row.holder_type.model, row.holder_id, row.instances, row.volumes)
        for row in rows
    ]
    assert held == [("server", server_pk, 1, 0), ("volume", volume_pk, 0, 1), (None, None, 0, 0)]
    assert rows[2].images == 1
    content_type = apps.get_model("contenttypes", "ContentType").objects
    assert content_type.filter(app_label="tenants", model="quotareservation").exists()
    assert not content_type.filter(app_label="servers", model="quotareservation").exists()


def test_going_back_restores_the_foreign_keys(old_rows):
    server_pk, volume_pk = old_rows
    migrate(AFTER)

    apps = migrate(BEFORE)

    rows = apps.get_model("servers", "QuotaReservation").objects.order_by("pk")
    assert [(row.server_id, row.volume_id) for row in rows] == [
        (server_pk, None),
        (server_pk, volume_pk),
        (None, None),
    ]
