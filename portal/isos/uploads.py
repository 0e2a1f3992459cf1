"""ISO uploads, the request side: the file is streamed to staging (portal/core/staging.py)
and checked on the way, then the job that sends it to the FTP server is queued (its work
is workflows.run_upload)."""

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.clouds.formats import ISO_HEAD_BYTES, is_iso
from portal.core import staging
from portal.core.errors import Conflict, PayloadTooLarge, PortalError, ValidationFailed
from portal.core.services import create_task, enqueue
from portal.isos.models import UPLOAD_KIND, Iso

UPLOAD_DEADLINE_SECONDS = 6 * 3600
# Uploads are staged here, in the default storage, until the worker has sent them.
STAGING_DIR = "iso-staging"
MAX_UPLOAD_BYTES = 64 * 1024**3  # unless settings.ISO_MAX_UPLOAD_BYTES says otherwise


class NotAnIsoImage(PortalError):
    status = 415
    code = "not_an_iso"
    default_message = gettext_lazy("The file is not an ISO 9660 or UDF image.")


def receive_upload(iso: Iso, stream, content_length=None, actor=None):
    """Stage an upload's bytes and queue the job that sends them to the FTP server;
    returns (iso, Task).

    Refused before anything is stored: an ISO not waiting for a file (409), a body over
    ISO_MAX_UPLOAD_BYTES (413), a file without an ISO 9660 / UDF signature (415). The body
    is staged through the storage API in chunks (constant memory) while its SHA-256 is
    computed; a body shorter than its Content-Length (a cut-off client) stages nothing.
    """
    _check_can_upload(iso)
    limit = getattr(settings, "ISO_MAX_UPLOAD_BYTES", None) or MAX_UPLOAD_BYTES
    if content_length is not None and content_length > limit:
        raise PayloadTooLarge(_("The file is larger than the portal accepts."))
    body = staging.BodyReader(stream, limit=limit, hasher=hashlib.sha256())
    if not is_iso(body.peek(ISO_HEAD_BYTES)):
        raise NotAnIsoImage()
    staging_name = staging.free_name(f"{STAGING_DIR}/{iso.iso_id}.iso")
    staging_name = staging.save(staging_name, body)
    try:
        if content_length is not None and body.received != content_length:
            raise ValidationFailed(
                _("The upload was cut off: %(received)d of %(expected)d bytes arrived.")
                % {"received": body.received, "expected": content_length},
                code="upload_incomplete",
            )
        return _queue_upload(iso, staging_name, body, actor)
    except Exception:
        staging.delete_names([staging_name])
        raise


def _check_can_upload(iso):
    if iso.status not in (Iso.Status.QUEUED, Iso.Status.FAILED):
        raise Conflict(
            _("This ISO is %(status)s; only a new or failed ISO takes a file.")
            % {"status": iso.get_status_display()},
            code="wrong_status",
        )


def _queue_upload(iso, staging_name, body, actor):
    with transaction.atomic():
        iso = Iso.objects.select_for_update().get(pk=iso.pk)
        _check_can_upload(iso)  # another upload may have won the race meanwhile
        iso.start_upload(staging_name)
        iso.size, iso.checksum = body.received, body.hasher.hexdigest()
        iso.save()
        task = create_task(
            UPLOAD_KIND, target_type="iso", target_id=iso.iso_id, actor=actor,
            deadline=UPLOAD_DEADLINE_SECONDS,
        )  # fmt: skip
        enqueue(task, "portal.isos.tasks.upload_iso", iso.pk)
    return iso, task
