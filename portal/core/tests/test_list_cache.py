"""The list cache (portal/core/list_cache.py) on the tenant's instance list: a page read
again is served from the cache, and every kind of write to a table the page is read from
ends it. Transactional tests: the writes commit, as they do between a worker and the web
process."""

import contextlib

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse

from conftest import tenant_client
from portal.core import list_cache
from portal.core.list_cache import GENERATION_KEY, written_tables
from portal.core.services import report_progress
from portal.core.tests.factories import TaskFactory
from portal.servers.models import Server, ServerTag
from portal.servers.task_messages import ResizeMessages
from portal.servers.tests.factories import ServerFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_cache")]

LIST = reverse("api:instance-list")
SERVERS_GENERATION = GENERATION_KEY % Server._meta.db_table


@pytest.fixture(autouse=True)
def list_cache_on(settings):
    settings.LIST_CACHE_SECONDS = 60


@pytest.fixture
def server(tenant):
    server = ServerFactory(tenant=tenant, name="web-1")
    ServerTag.objects.create(server=server, name="blue")
    return server


@pytest.fixture
def caller(tenant):
    return tenant_client(tenant)


def listed(caller, **headers):
    answer = caller.get(LIST, **headers)
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_a_page_read_again_is_served_from_the_cache_after_the_key_lookup_alone(
    caller, server, django_assert_max_num_queries
):
    first = listed(caller)

    with django_assert_max_num_queries(1):  # the API key; no rows, no count
        again = listed(caller)

    assert again == first
    assert [instance["instance_name"] for instance in again["instances"]] == ["web-1"]


def rename_by_save(server):
    server.name = "renamed"
    server.save()


def rename_by_queryset_update(server):
    Server.objects.filter(pk=server.pk).update(name="renamed")


def rename_by_bulk_update(server):
    server.name = "renamed"
    Server.objects.bulk_update([server], ["name"])


def rename_by_raw_sql(server):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE servers_server SET name = %s WHERE id = %s", ["renamed", server.pk])


@pytest.mark.parametrize(
    "rename", [rename_by_save, rename_by_queryset_update, rename_by_bulk_update, rename_by_raw_sql]
)
def test_every_way_of_writing_a_row_ends_its_page(caller, server, rename):
    listed(caller)

    rename(server)

    assert [i["instance_name"] for i in listed(caller)["instances"]] == ["renamed"]


def test_rows_added_in_bulk_and_rows_deleted_end_the_page(caller, server, tenant):
    listed(caller)

    Server.objects.bulk_create([ServerFactory.build(tenant=tenant, cloud=server.cloud)])
    ServerTag.objects.filter(server=server).delete()

    page = listed(caller)
    assert page["count"] == 2
    assert [i["tags"] for i in page["instances"] if i["instance_id"] == server.instance_id] == [[]]


def test_a_tasks_progress_and_a_clouds_region_end_the_page(caller, server, tenant):
    task = TaskFactory(tenant=tenant, state="running", progress=10)
    Server.objects.filter(pk=server.pk).update(current_task=task)
    listed(caller)

    report_progress(task, 60)
    server.cloud.region = "region-renamed"
    server.cloud.save()

    (instance,) = listed(caller)["instances"]
    assert instance["task"]["progress"] == 60
    assert instance["region"] == "region-renamed"


def test_a_write_committed_after_the_rows_were_read_leaves_no_stale_page(
    caller, server, monkeypatch
):
    keep_page = list_cache.keep_page

    def keep_after_a_worker_wrote(token, body):
        # The race: a worker commits a change after this request read its rows and
        # before it keeps the page (which holds the old rows).
        Server.objects.filter(pk=server.pk).update(name="renamed")
        keep_page(token, body)

    monkeypatch.setattr(list_cache, "keep_page", keep_after_a_worker_wrote)
    assert [i["instance_name"] for i in listed(caller)["instances"]] == ["web-1"]
    monkeypatch.setattr(list_cache, "keep_page", keep_page)

    assert [i["instance_name"] for i in listed(caller)["instances"]] == ["renamed"]


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('UPDATE "servers_server" SET "name" = %s', ["servers_server"]),
        ('INSERT INTO "core_task" ("id") VALUES (%s)', ["core_task"]),
        ('INSERT OR IGNORE INTO "servers_servertag" ("name") VALUES (%s)', ["servers_servertag"]),
        ('  delete from "servers_volume" WHERE "id" IN (%s)', ["servers_volume"]),
        (
            'TRUNCATE "clouds_cloud", "servers_server" RESTART IDENTITY;',
            ["clouds_cloud", "servers_server"],
        ),
        ('SELECT "name" FROM "servers_server" WHERE "note" = \'UPDATE x\'', []),
    ],
)
def test_the_tables_a_statement_writes(sql, tables):
    assert written_tables(sql) == tables


def test_a_write_raises_the_generation_again_when_its_transaction_commits(server):
    before = cache.get(SERVERS_GENERATION)

    with transaction.atomic():
        Server.objects.filter(pk=server.pk).update(name="renamed")
        # At once: pages read before the write end...
        assert cache.get(SERVERS_GENERATION) == before + 1
    # ...and once more at the commit: a page read in between held the rows before it.
    assert cache.get(SERVERS_GENERATION) == before + 2


def test_one_raise_per_table_at_commit_even_past_a_rolled_back_savepoint(server):
    before = cache.get(SERVERS_GENERATION)

    with transaction.atomic():
        with contextlib.suppress(RuntimeError), transaction.atomic():
            Server.objects.filter(pk=server.pk).update(name="a")
            raise RuntimeError  # drops the commit raise registered inside it
        Server.objects.filter(pk=server.pk).update(name="b")  # registers it again
        Server.objects.filter(pk=server.pk).update(name="c")

    # One raise per write, and one at the commit.
    assert cache.get(SERVERS_GENERATION) == before + 4


def test_a_page_read_inside_a_transaction_is_not_kept(caller, server, django_assert_num_queries):
    with transaction.atomic():
        listed(caller)  # could hold the transaction's own writes, which a rollback undoes

    with django_assert_num_queries(6):  # key, count, ids, rows, disks, tags
        listed(caller)


def test_tenants_never_get_each_others_pages(caller, server, other_tenant):
    ServerFactory(tenant=other_tenant, name="theirs")
    assert [i["instance_name"] for i in listed(caller)["instances"]] == ["web-1"]

    theirs = listed(tenant_client(other_tenant))

    assert [i["instance_name"] for i in theirs["instances"]] == ["theirs"]


def test_a_page_is_kept_per_language_and_query(caller, server, tenant):
    task = TaskFactory(tenant=tenant, message=ResizeMessages.RESIZING(name="m1.small"))
    Server.objects.filter(pk=server.pk).update(current_task=task)
    english = listed(caller, HTTP_ACCEPT_LANGUAGE="en")

    chinese = listed(caller, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert english["instances"][0]["task"]["message"] == "Resizing to flavor m1.small"
    assert chinese["instances"][0]["task"]["message"] != english["instances"][0]["task"]["message"]
    assert listed(caller, QUERY_STRING="name=nothing-like-it")["count"] == 0


def test_operators_lists_are_always_read_from_the_database(
    staff_client, server, django_assert_max_num_queries
):
    staff_client.get(LIST)
    with django_assert_max_num_queries(20) as queries:
        assert staff_client.get(LIST).status_code == 200
    assert len(queries) > 3  # rows, count and prefetches again


def test_a_lost_generation_starts_afresh_and_ends_the_pages(caller, server, settings):
    listed(caller)
    settings.LIST_CACHE_SECONDS = 0  # a write that does not reach the cache...
    Server.objects.filter(pk=server.pk).update(name="renamed")
    settings.LIST_CACHE_SECONDS = 60
    cache.delete(SERVERS_GENERATION)  # ...and its generation lost (evicted, flushed)

    # A fresh generation is never one an old page was kept at.
    assert [i["instance_name"] for i in listed(caller)["instances"]] == ["renamed"]


def test_with_the_cache_down_lists_are_read_and_writes_stand(caller, server):
    listed(caller)
    dead_cache = {
        "BACKEND": "portal.core.cache.SharedClientRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
    }

    with override_settings(CACHES={"default": dead_cache}):
        Server.objects.filter(pk=server.pk).update(name="renamed")
        assert [i["instance_name"] for i in listed(caller)["instances"]] == ["renamed"]
