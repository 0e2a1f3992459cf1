"""A compute host's capacity and usage as bars: vCPUs, RAM and local disk, used against
what the scheduler may place (the figures the network pull mirrors)."""

from django.utils.translation import gettext_lazy as _

from portal.core.bars import usage_bar

# (capacity field, used field, label, unit) of each bar, in this order.
RESOURCES = (
    ("vcpus", "vcpus_used", _("vCPUs"), ""),
    ("memory_mb", "memory_mb_used", _("RAM"), _("MB")),
    ("disk_gb", "disk_gb_used", _("Local disk"), _("GB")),
)


def usage_bars(figures: dict) -> list[dict]:
    """One bar per resource of `figures` (a host's fields, or a zone's sums of them)."""
    return [usage_bar(figures[total], figures[used], label, unit)
            for total, used, label, unit in RESOURCES]  # fmt: skip
