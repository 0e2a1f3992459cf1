"""The sentences of the images app's Tasks (core.task_messages)."""

from django.utils.translation import gettext_lazy as _

from portal.core.sentences import names_from, operation, target_names
from portal.core.task_messages import Messages
from portal.images.models import Image


class ImageMessages(Messages, prefix="images"):
    READ = _("Read %(count)d images.")
    NOT_TRANSFERRING = _("The image is %(state)s, no longer waiting for its transfer.")
    ACTIVE = _("The image %(name)s is active in the cloud.")
    CUT_OFF = _("The upload was cut off.")
    CUT_OFF_WAITING = _("The upload was cut off: no piece arrived for %(seconds)d seconds.")
    FORMAT_MISMATCH = _("The file is not a %(format)s image (its first bytes say otherwise).")
    SENT = _("Sent %(sent)d of %(size)d bytes to the cloud.")
    SIZE_MISMATCH = _(
        "The cloud's copy does not match the upload (size %(cloud_size)s, expected "
        "%(size)s); it was removed."
    )
    CHECKSUM_MISMATCH = _(
        "The cloud's copy has the checksum %(cloud)s, not %(expected)s as expected; it was removed."
    )
    NOT_ACTIVE = _("The cloud left the image %(status)s instead of active; it was removed.")
    DELETED = _("The image %(name)s was deleted.")


operation("images.sync", _("%(actor)s synced the images of %(target)s"), label=_("image sync"))
operation("images.upload", _("%(actor)s uploaded image %(target)s"), label=_("image upload"))
operation("images.delete", _("%(actor)s deleted image %(target)s"), label=_("image deletion"))
target_names("image", names_from(Image, "image_id", "name"))
