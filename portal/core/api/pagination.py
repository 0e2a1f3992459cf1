"""Seed 004's paging: ?page_number=&page_size= (at most 100), the list under its plural key.

Counting every matching row costs time in proportion to the rows: 40 ms for an operator's
100,000 servers, on every page. So rows are counted exactly up to `PAGINATION_EXACT_COUNT`
(a capped count reads at most that many index entries); past it, PostgreSQL's planner
estimate is given instead, with `count_exact: false` (as GitLab and GitHub do for big
lists). Other databases always count exactly.
"""

import json

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from portal.core.errors import ValidationFailed


def count_rows(queryset, exact_up_to: int) -> tuple[int, bool]:
    """(count, exact): the exact count when it is at most `exact_up_to`, else (on
    PostgreSQL) the planner's estimate, never below what was counted."""
    unordered = queryset.order_by()
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return unordered.count(), True
    counted = unordered[: exact_up_to + 1].count()
    if counted <= exact_up_to:
        return counted, True
    return max(counted, _planner_estimate(unordered, connection)), False


def _planner_estimate(queryset, connection) -> int:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # drivers that do not decode json columns
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class PortalPagination(PageNumberPagination):
    page_query_param = "page_number"
    page_size_query_param = "page_size"
    page_size = 20
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        """A capped COUNT and one SELECT; a page past the exact end is empty (the count
        says why)."""
        self.request = request
        self.results_key = getattr(view, "results_key", "results")
        self.page_number = self._positive_int(request, self.page_query_param, default=1)
        self._positive_int(request, self.page_size_query_param, default=self.page_size)
        self.page_size_used = self.get_page_size(request)
        self.count, self.count_exact = count_rows(queryset, settings.PAGINATION_EXACT_COUNT)
        offset = (self.page_number - 1) * self.page_size_used
        if self.count_exact and offset >= self.count:
            return []
        return self.page_rows(queryset, offset, offset + self.page_size_used)

    def page_rows(self, queryset, start, end):
        return list(queryset[start:end])

    @staticmethod
    def _positive_int(request, name, default):
        raw = request.query_params.get(name)
        if raw is None:
            return default
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationFailed(
                _("%(name)s must be a positive whole number.") % {"name": name},
                fields={name: [_("Must be a positive whole number.")]},
            )
        return int(raw)

    def get_paginated_response(self, data):
        return Response(
            {
                self.results_key: data,
                "count": self.count,
                "count_exact": self.count_exact,
                "page_number": self.page_number,
                "page_size": self.page_size_used,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "properties": {
                "count": {"type": "integer"},
                "count_exact": {
                    "type": "boolean",
                    "description": "false when `count` is an estimate (a very long list)",
                },
                "page_number": {"type": "integer"},
                "page_size": {"type": "integer"},
                "<plural>": schema,
            },
        }


class IdsFirstPagination(PortalPagination):
    """Pages that pick their rows' ids first, then read those rows (a "deferred join").

    The ids come from a narrow query that an index answers alone. Asked for whole rows
    (and their joins) in one query, PostgreSQL may take the index of every tenant's rows
    in the list's order and filter it, as its statistics take a tenant's rows to be
    spread evenly: a tenant whose 10,000 servers are older than 100,000 others' had each
    page read past all of those, 22 ms instead of 0.1 ms."""

    def page_rows(self, queryset, start, end):
        return self.rows_of(queryset, list(queryset.values_list("pk", flat=True)[start:end]))

    @staticmethod
    def rows_of(queryset, ids):
        """The rows of `ids` in that order; one deleted since it was picked is left out."""
        rows = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]
