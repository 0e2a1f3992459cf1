"""The cloud's words for a server's state, with the labels the admin shows."""

from django.utils.translation import gettext_lazy as _

# Nova's server statuses and power states, shown by their label in the admin (the API
# keeps the raw values); a value not listed is shown as it is.
RUNTIME_STATES = [
    ("ACTIVE", _("active")),
    ("BUILD", _("building")),
    ("DELETED", _("deleted")),
    ("ERROR", _("error")),
    ("HARD_REBOOT", _("hard rebooting")),
    ("MIGRATING", _("migrating")),
    ("PASSWORD", _("setting the password")),
    ("PAUSED", _("paused")),
    ("REBOOT", _("rebooting")),
    ("REBUILD", _("rebuilding")),
    ("RESCUE", _("rescue mode")),
    ("RESIZE", _("resizing")),
    ("REVERT_RESIZE", _("reverting the resize")),
    ("SHELVED", _("shelved")),
    ("SHELVED_OFFLOADED", _("shelved and offloaded")),
    ("SHUTOFF", _("shut off")),
    ("SOFT_DELETED", _("soft-deleted")),
    ("SUSPENDED", _("suspended")),
    ("UNKNOWN", _("unknown")),
    ("VERIFY_RESIZE", _("resized, awaiting confirmation")),
]
POWER_STATES = [
    ("nostate", _("no state")),
    ("running", _("running")),
    ("paused", _("paused")),
    ("shutdown", _("shut down")),
    ("crashed", _("crashed")),
    ("suspended", _("suspended")),
]
