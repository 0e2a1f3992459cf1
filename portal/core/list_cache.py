"""Tenants' list pages kept in the shared cache until a table they are read from changes.

A platform polls its tenants' lists far more often than they change (GitLab caches its
polled lists the same way, with ETags its writes invalidate). A page is filed under the
*generations* of the tables the list reads: a counter per table in the cache, raised by
every write to the table that goes through Django's database connection (saves, queryset
updates, bulk upserts, cascades, raw SQL; `count_writes`), once when the write is made
and once more when its transaction commits. A page is kept with the generations read
before its rows, and served only while they are still the current ones: the first read
after a write misses and reads the database again.

The counters are per table, not per tenant (a write says which table it touches, not
whose rows): any write to a listed table ends every tenant's pages of that list. Pages
also expire after LIST_CACHE_SECONDS, the bound on staleness should a write not reach
the cache (Redis down at that moment). Only with a cache all processes share (Redis):
with the embedded default's per-process memory, the worker's writes would not reach the
web process's pages, so LIST_CACHE_SECONDS defaults to 0 (off) there.
"""

import hashlib
import logging
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# The table a write statement changes, as Django's compilers (and most SQL) spell it:
# SQLite's INSERT OR IGNORE / OR REPLACE included.
WRITTEN_TABLE = re.compile(
    r'\s*(?:UPDATE|INSERT(?:\s+OR\s+\w+)?\s+INTO|DELETE\s+FROM|REPLACE\s+INTO)\s+[`"]?(\w+)',
    re.IGNORECASE,
)
# TRUNCATE names its tables in a list (PostgreSQL's flush, e.g. between tests).
TRUNCATE = re.compile(r"\s*TRUNCATE\b", re.IGNORECASE)
QUOTED_NAME = re.compile(r'"(\w+)"')
GENERATION_KEY = "list-cache:generation:%s"


def enabled() -> bool:
    return settings.LIST_CACHE_SECONDS > 0


# ---- writes --------------------------------------------------------------------------


def count_writes_on(sender, connection, **kwargs):
    """Installs `count_writes` on a new database connection (once: a reconnection of the
    same connection object keeps its wrappers)."""
    if count_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(count_writes)


def count_writes(execute, sql, params, many, context):
    """A database execute wrapper (installed on every connection by the core app): runs
    the statement, then raises the generation of the table it wrote, now and again when
    the transaction commits (a page read in between may hold the rows before it)."""
    result = execute(sql, params, many, context)
    if enabled():
        writer = context["connection"]
        for table in written_tables(sql):
            raise_generation(table)
            if writer.in_atomic_block and not _raised_at_commit(writer, table):
                writer.on_commit(CommitRaise(table))
    return result


def written_tables(sql) -> list[str]:
    """The tables an SQL statement writes (none for a read)."""
    if written := WRITTEN_TABLE.match(sql):
        return [written.group(1)]
    if TRUNCATE.match(sql):
        return QUOTED_NAME.findall(sql)
    return []


class CommitRaise:
    """The on_commit callback raising `table`'s generation: one per table and transaction."""

    def __init__(self, table):
        self.table = table

    def __call__(self):
        raise_generation(self.table)


def _raised_at_commit(writer, table) -> bool:
    """Whether the transaction will raise `table`'s generation at its commit already. The
    callbacks pending are those Django keeps (a rolled-back savepoint drops its own)."""
    return any(
        isinstance(callback, CommitRaise) and callback.table == table
        for _savepoints, callback, _robust in writer.run_on_commit
    )


def raise_generation(table):
    """Ends the cached pages read from `table`. A cache error is logged, not raised: the
    write stands, and the pages expire after LIST_CACHE_SECONDS."""
    key = GENERATION_KEY % table
    try:
        try:
            cache.incr(key)
        except ValueError:  # no generation kept yet: no page can be filed under one
            cache.add(key, _fresh_generation(), timeout=None)
    except Exception:
        logger.exception("list cache: could not raise the generation of %s", table)


def _fresh_generation() -> int:
    """A starting value never used before, so a generation lost from the cache (evicted,
    flushed) cannot come back to a value that old pages are filed under."""
    return time.time_ns()


# ---- reads ---------------------------------------------------------------------------


def cached_page(view_name, models, *, scope, query):
    """(body, token): the page kept for this list, caller `scope` (whose rows it shows),
    language and `query`, if it was kept at its tables' current generations, else None;
    `token` (None if the cache does not answer) files the page read now with `keep_page`.

    One cache call reads the page with the generations, and a page is kept with the
    generations read before its rows: a kept page matches only while no write since."""
    parts = (view_name, scope, get_language(), query)
    digest = hashlib.sha256("\n".join(map(str, parts)).encode()).hexdigest()
    key = f"list-cache:page:{view_name}:{digest}"
    generation_keys = [GENERATION_KEY % m._meta.db_table for m in models]
    try:
        found = cache.get_many([key, *generation_keys])
        for missing in set(generation_keys) - set(found):
            cache.add(missing, _fresh_generation(), timeout=None)
            found[missing] = cache.get(missing)
    except Exception:
        logger.exception("list cache: could not read a page")
        return None, None
    generations = tuple(found[generation_key] for generation_key in generation_keys)
    kept_generations, body = found.get(key, (None, None))
    return (body if kept_generations == generations else None), (key, generations)


def keep_page(token, body):
    """Keeps a page read outside any transaction only: inside one, its rows may include
    the transaction's own writes, which a rollback would undo without a write to end
    the page."""
    if connection.in_atomic_block:
        return
    key, generations = token
    try:
        cache.set(key, (generations, body), timeout=settings.LIST_CACHE_SECONDS)
    except Exception:
        logger.exception("list cache: could not keep a page")
