"""The Azure driver's own sentences for what Azure ends an operation with: capacity it
has not got, a guest that did not come up (imported by clouds.task_messages, so that a
Task's message renders wherever Tasks are shown)."""

from django.utils.translation import gettext_lazy as _

from portal.core.task_messages import Messages


class AzureMessages(Messages, prefix="clouds.azure"):
    NO_CAPACITY = _(
        "Azure has no capacity for this virtual machine size in the region (or zone) just "
        "now; try again later, or choose another size or zone."
    )
    OVERCONSTRAINED = _(
        "Azure cannot place a virtual machine with all of these constraints (size, zone, "
        "placement group, networking) just now; try again later or relax one of them."
    )
    OS_PROVISIONING_TIMED_OUT = _(
        "The virtual machine was made, but its operating system did not report ready in "
        "time: the image may not be generalized or may lack the Azure guest agent."
    )
    OS_PROVISIONING_REFUSED = _(
        "The virtual machine's operating system refused its provisioning (the user name, "
        "password or key it was given); check the image and the login settings."
    )
    VM_START_TIMED_OUT = _("The virtual machine did not start in time; try again later.")
