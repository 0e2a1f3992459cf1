"""Make neutron's MySQL-only migration d553edeb540f a no-op on other databases.

Neutron 29.0.0 ships the expand migration d553edeb540f (tag_case_sensitive), which runs
MySQL-specific SQL (a binary collation change) without checking the dialect, so
`neutron-db-manage upgrade heads` fails on PostgreSQL. The column semantics it fixes are
already case sensitive on PostgreSQL, so skipping it there is correct.

Run with the harness venv's python by `up` after pip install; idempotent. Exits 0 when the
migration is absent (other neutron versions) and fails loudly if its shape changed.
"""

import os
import sys

import neutron

MARK = "# portal-oslite patch"
PATH = os.path.join(
    os.path.dirname(neutron.__file__),
    "db",
    "migration",
    "alembic_migrations",
    "versions",
    "2025.2",
    "expand",
    "d553edeb540f_tag_case_sensitive.py",
)
OLD = "def upgrade():\n    try:"
NEW = (
    "def upgrade():\n"
    "    if op.get_bind().dialect.name != 'mysql':  " + MARK + ": MySQL-only SQL\n"
    "        return\n"
    "    try:"
)

if not os.path.exists(PATH):
    print("neutron PostgreSQL patch: migration not present, nothing to do")
    sys.exit(0)
with open(PATH) as f:
    src = f.read()
if MARK in src:
    sys.exit(0)
if OLD not in src:
    sys.exit(f"neutron PostgreSQL patch: {PATH} changed shape; update tools/patch_neutron_pg.py")
with open(PATH, "w") as f:
    f.write(src.replace(OLD, NEW, 1))
print("neutron PostgreSQL patch applied to", PATH)
