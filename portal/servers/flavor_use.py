"""Whether a flavor is in use: asked when its deletion is requested, and again by the
job just before the cloud call (a server may have taken it meanwhile)."""

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.core.errors import Conflict
from portal.servers.models import Server
from portal.servers.server_templates.models import ServerTemplate


def check_flavor_unused(flavor) -> None:
    """409 while servers (or a resize awaiting confirmation) or templates use it."""
    servers = Server.objects.filter(cloud=flavor.cloud).exclude(status=Server.Status.DELETED)
    in_use = servers.filter(Q(flavor_ref=flavor.backend_id) | Q(resize_flavor=flavor)).count()
    templates = ServerTemplate.objects.filter(flavor=flavor).count()
    if in_use or templates:
        raise Conflict(
            _(
                "Flavor %(name)s is in use (servers: %(servers)d, templates: %(templates)d); "
                "it can be deleted once nothing uses it."
            )
            % {"name": flavor.name, "servers": in_use, "templates": templates},
            code="flavor_in_use",
        )
