"""Is each enabled cloud answering? Checked by a beat job, read by /readyz.

Only Celery jobs call cloud drivers, so /readyz cannot ask a cloud itself; and a probe
that queued a job would make the web unready whenever the worker is busy or down. Beat's
`check_clouds` job (every CLOUD_CHECK_SECONDS) makes one cheap call per enabled cloud as
its admin (the driver's `check`: the availability zones, or on Azure, whose zones are
configured rather than asked, a read of the cloud's resource group) and records the
outcome on the Cloud; /readyz reads it, and counts a cloud whose last passing check is
older than CLOUD_CHECK_MAX_AGE_SECONDS (or that was never checked) as failing. The checks
are not Tasks: one a minute per cloud would bury the operators' own in the task list.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from portal.clouds.drivers import get_driver
from portal.clouds.errors import CloudError
from portal.clouds.models import Cloud

logger = logging.getLogger(__name__)


def check_cloud(cloud) -> bool:
    """Make the driver's check call (CloudDriver.check: on OpenStack the availability
    zones, on Azure a read of the cloud's resource group) and record whether it answered."""
    try:
        get_driver(cloud).check()
    except CloudError as exc:
        ok, message = False, str(exc.message)
        logger.warning("cloud %s did not answer its check: %s", cloud.name, message)
    except Exception:
        ok, message = False, "internal error (logged)"
        logger.exception("checking cloud %s crashed", cloud.name)
    else:
        ok, message = True, ""
    Cloud.objects.filter(pk=cloud.pk).update(
        checked_at=timezone.now(), check_ok=ok, check_message=message[:500]
    )
    return ok


def check_enabled_clouds() -> dict[str, bool]:
    """Beat's job: check every enabled cloud; {cloud name: answered?}."""
    return {cloud.name: check_cloud(cloud) for cloud in Cloud.objects.filter(enabled=True)}


def clouds_ready() -> dict[str, bool]:
    """/readyz's check: {"cloud:<name>": last check passed recently?} per enabled cloud."""
    recent = timezone.now() - timedelta(seconds=settings.CLOUD_CHECK_MAX_AGE_SECONDS)
    return {
        f"cloud:{name}": bool(ok and checked_at and checked_at >= recent)
        for name, ok, checked_at in Cloud.objects.filter(enabled=True).values_list(
            "name", "check_ok", "checked_at"
        )
    }
