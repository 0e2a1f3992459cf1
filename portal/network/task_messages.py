"""The sentences of the network app's Tasks (core.task_messages)."""

from django.utils.translation import gettext_lazy as _

from portal.core.sentences import operation
from portal.core.task_messages import Messages
from portal.network.security_groups import task_messages as security_group_messages  # noqa: F401


class NetworkMessages(Messages, prefix="network"):
    READ = _("Read %(count)d objects from the cloud.")


operation("network.sync", _("%(actor)s synced the networks of %(target)s"), label=_("network sync"))
