"""The sentences the RGW driver's errors show (backend details go to the log only)."""

from django.utils.translation import gettext_lazy as _

from portal.core.task_messages import Messages


class RgwMessages(Messages, prefix="clouds.rgw"):
    UNAVAILABLE = _("The object store does not answer; try again later.")
    KEYS_REFUSED = _("The object store refused the access keys.")
    NOT_ADMIN = _(
        "The object store's admin user may not manage users and buckets; "
        "give it the users, buckets and metadata capabilities."
    )
    USER_EXISTS = _("The object store already has a user %(uid)s.")
    BUCKET_TAKEN = _("The bucket name %(name)s is already taken; choose another.")
    BUCKET_NAME_INVALID = _("The object store does not accept the bucket name %(name)s.")
    ACL_INVALID = _("The bucket policy must be private, public-read or a JSON policy document.")
    POLICY_REFUSED = _("The object store refused the bucket policy document.")
