"""Which shared objects a scope can see, as each service's default policy has it.

Owned objects (servers, volumes, routers, security groups) are the project's only; see
SimulatedService._owned. These are the objects other projects may see too.
"""

from django.db.models import Q

from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.scope import Scope

Kind = SimulatedObject.Kind


def _objects(scope: Scope, kind: str):
    return SimulatedObject.objects.filter(cloud=scope.cloud, kind=kind)


def images(scope: Scope):
    """Glance: public and community images, and the project's own."""
    found = _objects(scope, Kind.IMAGE)
    if scope.is_admin:
        return found
    return found.filter(
        Q(data__visibility__in=["public", "community"]) | Q(project_id=scope.project_id)
    )


def flavors(scope: Scope):
    """Nova: public flavors, and private ones the project was given access to."""
    found = _objects(scope, Kind.FLAVOR)
    if scope.is_admin:
        return found
    granted = _objects(scope, Kind.FLAVOR_ACCESS).filter(project_id=scope.project_id)
    return found.filter(Q(data__is_public=True) | Q(backend_id__in=granted.values("parent_id")))


def networks(scope: Scope):
    """Neutron: the project's networks, shared ones and external ones."""
    found = _objects(scope, Kind.NETWORK)
    if scope.is_admin:
        return found
    return found.filter(
        Q(project_id=scope.project_id) | Q(data__shared=True) | Q(data__external=True)
    )


def subnets(scope: Scope):
    """Neutron: the subnets of the networks the project sees."""
    found = _objects(scope, Kind.SUBNET)
    if scope.is_admin:
        return found
    return found.filter(parent_id__in=networks(scope).values("backend_id"))
