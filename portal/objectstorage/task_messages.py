"""The sentences of the object-storage app's Tasks (core.task_messages), and what each
Task kind does in the Task list (core.sentences)."""

from django.utils.translation import gettext_lazy as _

from portal.core.sentences import names_from, operation, target_names
from portal.core.task_messages import Messages
from portal.objectstorage.models import Bucket, ObjectStore, OssUser


class OssMessages(Messages, prefix="objectstorage"):
    CHECKING = _("Checking the admin API of %(store)s")
    CHECK_PASSED = _("%(store)s answers, and its admin keys may manage users and buckets.")
    FINDING_USER = _("Finding S3 user %(uid)s")
    CREATING_USER = _("Creating S3 user %(uid)s")
    USER_TAKEN = _(
        "The cluster already has an S3 user %(uid)s that the portal did not make for this tenant."
    )
    USER_GONE = _("S3 user %(uid)s no longer exists in the cluster.")
    BUCKET_GONE = _("Bucket %(bucket)s is not in the cluster.")
    CREATING_BUCKET = _("Creating bucket %(bucket)s")
    READING_BACK = _("Reading the result back")
    BUCKET_READY = _("Bucket %(bucket)s of S3 user %(uid)s is ready.")
    SETTING_QUOTA = _("Setting the quota of S3 user %(uid)s")
    QUOTA_SET = _("S3 user %(uid)s may use %(size)s GB and %(objects)s objects.")
    READING_KEYS = _("Reading the keys of S3 user %(uid)s")
    KEY_READ = _("The key of S3 user %(uid)s was read.")
    ROTATING = _("Issuing a new key for S3 user %(uid)s")
    REVOKING = _("Revoking the previous keys")
    ROTATED = _("S3 user %(uid)s has a new key; the previous ones are revoked.")
    READ = _("Read %(users)d S3 users and %(buckets)d buckets from the cluster.")
    UNLIMITED = _("unlimited")


operation(
    "objectstorage.create",
    _("%(actor)s created bucket %(target)s"),
    label=_("S3 user and bucket creation"),
)
operation(
    "objectstorage.quota",
    _("%(actor)s set the quota of S3 user %(target)s"),
    label=_("S3 user quota"),
)
operation(
    "objectstorage.key", _("%(actor)s recovered the key of S3 user %(target)s"), label=_("S3 key")
)
operation(
    "objectstorage.key",
    _("%(actor)s recovered the key of S3 user %(target)s"),
    action="recover",
)
operation(
    "objectstorage.key", _("%(actor)s rotated the key of S3 user %(target)s"), action="rotate"
)
operation(
    "objectstorage.check",
    _("%(actor)s tested the connection to %(target)s"),
    label=_("object store connection test"),
)
operation(
    "objectstorage.sync",
    _("%(actor)s synced the S3 users and buckets of %(target)s"),
    label=_("object storage sync"),
)
target_names("bucket", names_from(Bucket, "pk", "name"))
target_names("oss_user", names_from(OssUser, "pk", "uid"))
target_names("object_store", names_from(ObjectStore, "pk", "name"))
