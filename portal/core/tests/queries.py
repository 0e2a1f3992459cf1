"""Helpers for tests that count or inspect the SQL a piece of code runs."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def writes_to(queries, *tables):
    """The INSERT, UPDATE and DELETE statements on any of `tables` among captured queries."""
    quoted = [f'"{table}"' for table in tables]
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
        and any(table in q["sql"] for table in quoted)
    ]


def count_queries(client, url):
    """How many queries a successful GET of `url` costs."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)
