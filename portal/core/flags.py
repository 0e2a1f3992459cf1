"""The portal's `enabled` flag of rows mirrored from the clouds (images, ISOs, flavors).

A portal flag only (seed 003): the cloud is not told, and what was made from a row that
is then disabled (templates, servers, mounts) is left as it is.
"""

from django.utils import timezone


def set_enabled(rows, enabled: bool) -> int:
    """Enable or disable the `rows` (a queryset); returns how many changed. Rows already
    so are not written, so repeating it is harmless."""
    return rows.exclude(enabled=enabled).update(enabled=enabled, updated=timezone.now())


def set_row_enabled(row, enabled: bool):
    """`set_enabled` for one row; returns the row with its flag set."""
    set_enabled(type(row).objects.filter(pk=row.pk), enabled)
    row.enabled = enabled
    return row
