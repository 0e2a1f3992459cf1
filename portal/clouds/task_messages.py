"""The sentences of the clouds app's Tasks (core.task_messages): pulls, waiting for the
cloud, opening a driver."""

from django.utils.translation import gettext_lazy as _

# Imported so that the cloud errors' sentences ("error.<class>", and the Azure driver's
# own) are registered wherever Tasks are shown, not only where a driver ran.
import portal.clouds.azure.messages
import portal.clouds.errors  # noqa: F401
from portal.clouds.models import Cloud
from portal.core.sentences import names_from, target_names
from portal.core.task_messages import Messages


class CloudMessages(Messages, prefix="clouds"):
    COUNTS = _(
        "%(read)d read from the cloud: %(created)d new, %(updated)d changed, "
        "%(missing)d no longer in the cloud."
    )
    GONE = _("The cloud no longer exists.")
    NOT_SUPPORTED = _("Clouds of kind %(kind)s are not supported yet.")
    DISABLED = _("The cloud %(name)s is disabled.")
    STORE_NOT_SUPPORTED = _("Object stores of kind %(kind)s are not supported.")
    STORE_DISABLED = _("The object store %(name)s is disabled.")
    OPERATION_FAILED = _("The cloud reports that %(what)s failed.")
    TOO_SLOW = _("%(what)s did not finish within %(seconds)d seconds.")


# How the Task list names a cloud.
target_names("cloud", names_from(Cloud, "pk", "name"))
