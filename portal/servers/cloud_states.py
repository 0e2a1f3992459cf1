"""The cloud's words for a server's state, with the labels the admin shows."""

from django.utils.translation import gettext_lazy as _

# Nova's server statuses and power states, shown by their label in the admin (the API
# keeps the raw values); a value not listed is shown as it is.
RUNTIME_STATES = [
    ("ACTIVE", _("Active")),
    ("BUILD", _("Building")),
    ("DELETED", _("Deleted")),
    ("ERROR", _("Error")),
    ("HARD_REBOOT", _("Hard rebooting")),
    ("MIGRATING", _("Migrating")),
    ("PASSWORD", _("Setting the password")),
    ("PAUSED", _("Paused")),
    ("REBOOT", _("Rebooting")),
    ("REBUILD", _("Rebuilding")),
    ("RESCUE", _("Rescue mode")),
    ("RESIZE", _("Resizing")),
    ("REVERT_RESIZE", _("Reverting the resize")),
    ("SHELVED", _("Shelved")),
    ("SHELVED_OFFLOADED", _("Shelved and offloaded")),
    ("SHUTOFF", _("Shut off")),
    ("SOFT_DELETED", _("Soft-deleted")),
    ("SUSPENDED", _("Suspended")),
    ("UNKNOWN", _("Unknown")),
    ("VERIFY_RESIZE", _("Resized, awaiting confirmation")),
]
POWER_STATES = [
    ("nostate", _("No state")),
    ("running", _("Running")),
    ("paused", _("Paused")),
    ("shutdown", _("Shut down")),
    ("crashed", _("Crashed")),
    ("suspended", _("Suspended")),
]
