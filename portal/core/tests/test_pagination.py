"""Counting for pages: exact up to PAGINATION_EXACT_COUNT, PostgreSQL's estimate past it."""

import pytest

from portal.core.api.pagination import IdsFirstPagination, count_rows
from portal.core.models import Task
from portal.core.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_a_short_list_is_counted_exactly(staff_client, settings):
    settings.PAGINATION_EXACT_COUNT = 5
    TaskFactory.create_batch(5)
    body = staff_client.get("/api/v1/tasks?page_size=2").json()
    assert (body["count"], body["count_exact"], len(body["tasks"])) == (5, True, 2)


@pytest.mark.postgres
def test_a_long_list_gives_an_estimate_never_below_the_capped_count(staff_client, settings):
    settings.PAGINATION_EXACT_COUNT = 3
    TaskFactory.create_batch(6)
    body = staff_client.get("/api/v1/tasks?page_size=2&page_number=3").json()
    assert body["count_exact"] is False
    assert body["count"] >= 4  # what the capped count saw; the planner may guess more
    assert len(body["tasks"]) == 2  # the page is read whatever the estimate says


@pytest.mark.postgres
def test_an_estimated_count_costs_one_query_more(staff_client, settings, django_assert_num_queries):
    settings.PAGINATION_EXACT_COUNT = 3
    TaskFactory.create_batch(6)
    # The staff session costs two (session, user); then the capped count, EXPLAIN, the page.
    with django_assert_num_queries(5):
        staff_client.get("/api/v1/tasks?page_size=2")
    settings.PAGINATION_EXACT_COUNT = 100
    with django_assert_num_queries(4):  # session, user, count, the page
        staff_client.get("/api/v1/tasks?page_size=2")


@pytest.mark.postgres
def test_the_estimate_follows_the_filter():
    TaskFactory.create_batch(4, kind="images.sync")
    TaskFactory.create_batch(2, kind="servers.create")
    assert count_rows(Task.objects.filter(kind="servers.create"), 10) == (2, True)
    count, exact = count_rows(Task.objects.filter(kind="images.sync"), 1)
    assert not exact
    assert count >= 2


def test_the_admin_lists_of_big_tables_count_the_same_way(admin_client, settings):
    settings.PAGINATION_EXACT_COUNT = 2
    TaskFactory.create_batch(5)
    page = admin_client.get("/admin/core/task/")
    assert page.status_code == 200
    assert page.context["cl"].result_count >= 3
    assert page.context["cl"].full_result_count is None  # no second, unfiltered count


@pytest.mark.sqlite
def test_sqlite_counts_exactly(staff_client, settings, django_assert_num_queries):
    settings.PAGINATION_EXACT_COUNT = 3
    TaskFactory.create_batch(6)
    with django_assert_num_queries(4):  # session, user, count, the page
        body = staff_client.get("/api/v1/tasks?page_size=2").json()
    assert (body["count"], body["count_exact"], len(body["tasks"])) == (6, True, 2)


def test_ids_first_pages_keep_the_order_and_leave_out_a_row_gone_since():
    TaskFactory.create_batch(5)
    queryset = Task.objects.order_by("-pk")
    assert IdsFirstPagination().page_rows(queryset, 1, 4) == list(queryset[1:4])

    ids = list(queryset.values_list("pk", flat=True)[:3])
    Task.objects.filter(pk=ids[1]).delete()  # between the page's two queries
    rows = IdsFirstPagination.rows_of(queryset, ids)
    assert [row.pk for row in rows] == [ids[0], ids[2]]
