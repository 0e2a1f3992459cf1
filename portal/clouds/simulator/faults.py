"""Injected failures, so tests can drive the portal's failure paths through the simulator.

    inject_fault(cloud, "compute.create_server", mode="unavailable", times=2)
    inject_fault(cloud, "images.upload_image_data", mode="corrupt")
    clear_faults(cloud)

`operation` is "<group>.<method>" exactly as in portal.clouds.base. A fault is checked at
the start of every driver call (see service.py) and consumed with a conditional UPDATE,
so two processes calling at once never both consume the last remaining failure. The
"corrupt" mode raises nothing: the call succeeds but keeps damaged data (an image upload
stores other bytes than it was sent), as the operation itself checks with `take_damage`.
"""

import time

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _

from portal.clouds import errors
from portal.clouds.simulator.models import SimulatedFault

MODES = (
    "fail", "unavailable", "timeout", "quota", "conflict", "not_found", "bad_request",
    "auth_failed", "forbidden", "corrupt",
)  # fmt: skip
# Modes under which the call succeeds, but damaged; the others raise an error.
DAMAGE_MODES = ("corrupt",)
RAISING_MODES = tuple(mode for mode in MODES if mode not in DAMAGE_MODES)

_ERROR_OF_MODE = {
    "fail": errors.CloudError,
    "unavailable": errors.CloudUnavailable,
    "quota": errors.CloudQuotaExceeded,
    "conflict": errors.CloudConflict,
    "not_found": errors.CloudNotFound,
    "bad_request": errors.CloudBadRequest,
    "auth_failed": errors.CloudAuthFailed,
    "forbidden": errors.CloudForbidden,
}


def inject_fault(cloud, operation: str, mode: str = "fail", times: int | None = 1):
    """Make the next `times` calls of `operation` on `cloud` fail (None: every call)."""
    if mode not in MODES:
        raise ValueError(f"Unknown fault mode {mode!r}; use one of {', '.join(MODES)}.")
    if "." not in operation:
        raise ValueError(f"Operation {operation!r} must be '<group>.<method>'.")
    return SimulatedFault.objects.create(
        cloud=cloud, operation=operation, mode=mode, remaining=times
    )


def clear_faults(cloud=None) -> None:
    """Remove the injected faults of `cloud`, or of every cloud."""
    faults = SimulatedFault.objects.all()
    if cloud is not None:
        faults = faults.filter(cloud=cloud)
    faults.delete()


def raise_injected_fault(cloud, operation: str) -> None:
    """Raise the error of the first live fault for `operation`, consuming one use of it."""
    mode = _take_fault(cloud, operation, RAISING_MODES)
    if mode is None:
        return
    if mode == "timeout":
        seconds = cloud.options.get("timeout_seconds", settings.CLOUD_READ_TIMEOUT)
        time.sleep(seconds)
        raise errors.CloudUnavailable(
            _("The cloud did not answer within %(seconds)s seconds.") % {"seconds": seconds}
        )
    raise _ERROR_OF_MODE[mode](_("Simulated failure of %(operation)s.") % {"operation": operation})


def take_damage(cloud, operation: str) -> bool:
    """Whether this call of `operation` keeps damaged data, consuming one use of the fault."""
    return _take_fault(cloud, operation, DAMAGE_MODES) is not None


def _take_fault(cloud, operation: str, modes) -> str | None:
    faults = SimulatedFault.objects.filter(cloud=cloud, operation=operation, mode__in=modes)
    for fault in faults:
        if fault.remaining is None:
            return fault.mode
        # Only the caller whose UPDATE matched gets this use of the fault.
        taken = faults.filter(pk=fault.pk, remaining__gt=0).update(remaining=F("remaining") - 1)
        if taken:
            faults.filter(pk=fault.pk, remaining=0).delete()
            return fault.mode
    return None
