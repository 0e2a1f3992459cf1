"""The sentences of the security group Tasks (core.task_messages), and what each kind
does as a sentence of the Task list (core.sentences)."""

from django.utils.translation import gettext_lazy as _

from portal.core.sentences import names_from, operation, target_names
from portal.core.task_messages import Messages
from portal.network.security_groups.models import SecurityGroup


class SecurityGroupMessages(Messages, prefix="network.security_group"):
    CREATING_GROUP = _("Creating security group %(name)s")
    CREATING_RULES = _("Creating %(count)d rules")
    RENAMING = _("Updating the group's name and description")
    DELETING_OLD_RULES = _("Deleting %(count)d former rules")
    UNDOING = _("Undoing: deleting the %(count)d rules made so far")
    DELETING_GROUP = _("Deleting security group %(name)s")
    CREATED = _("Security group %(name)s is ready with %(count)d rules.")
    UPDATED = _("Security group %(name)s is updated; it has %(count)d rules.")
    DELETED = _("Security group %(name)s and its rules are deleted.")
    RULE_REFUSED = _(
        "The cloud refused rule %(number)d (%(rule)s): %(reason)s The group keeps its former rules."
    )
    ATTACHING = _("Attaching the group to server %(server)s (%(number)d of %(count)d)")
    DETACHING = _("Detaching the group from server %(server)s (%(number)d of %(count)d)")
    ATTACHED = _("Attached to %(changed)d of %(count)d servers; the others had it already.")
    DETACHED = _("Detached from %(changed)d of %(count)d servers; the others did not have it.")
    RULE_REFUSED_CREATING = _(
        "The cloud refused rule %(number)d (%(rule)s): %(reason)s The group was not created."
    )
    SERVERS_FAILED = _("%(failed)d of %(count)d servers failed (%(servers)s): %(reason)s")
    SERVER_GONE = _("The server is no longer in the portal.")


# One server's outcome in an attach or detach, as the Task's result lists it (the admin
# shows these labels).
OUTCOMES = {
    "attached": _("attached"),
    "detached": _("detached"),
    "unchanged": _("unchanged (already so)"),
    "failed": _("failed"),
}

operation(
    "security_group.create",
    _("%(actor)s created security group %(target)s"),
    label=_("security group creation"),
)
operation(
    "security_group.update",
    _("%(actor)s updated security group %(target)s"),
    label=_("security group update"),
)
operation(
    "security_group.delete",
    _("%(actor)s deleted security group %(target)s"),
    label=_("security group deletion"),
)
operation(
    "security_group.operate",
    _("%(actor)s attached security group %(target)s to servers"),
    action="attach",
    label=_("security group attach or detach"),
)
operation(
    "security_group.operate",
    _("%(actor)s detached security group %(target)s from servers"),
    action="detach",
)
target_names("security_group", names_from(SecurityGroup, "security_group_id", "name"))
