"""How the simulated services refuse a request: with the CloudErrors the OpenStack driver
raises for the real services' refusals."""

import ipaddress

from django.utils.translation import gettext as _

from portal.clouds import errors
from portal.clouds.simulator.models import SimulatedObject


def not_found(what: str, backend_id) -> errors.CloudNotFound:
    return errors.CloudNotFound(
        _("The %(what)s %(id)s does not exist in the cloud.") % {"what": what, "id": backend_id}
    )


def conflict(message: str, **values) -> errors.CloudConflict:
    return errors.CloudConflict(message % values if values else message)


def require_status(obj: SimulatedObject, statuses, action: str, message: str) -> None:
    """Refuse (409, as Nova and Cinder do) an action `obj`'s status does not allow;
    `message` names %(action)s, %(id)s and %(status)s."""
    if obj.status not in statuses:
        raise conflict(message, action=action, id=obj.backend_id, status=obj.status)


def bad_request(message: str, **values) -> errors.CloudBadRequest:
    return errors.CloudBadRequest(message % values if values else message)


def parse_cidr(cidr: str):
    """The network of a CIDR Neutron accepts (host bits clear); 400 otherwise."""
    try:
        return ipaddress.ip_network(cidr)
    except ValueError:
        raise bad_request(_("%(cidr)s is not a valid CIDR."), cidr=cidr) from None
