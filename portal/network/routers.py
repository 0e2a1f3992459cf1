"""Routers, the request side: a tenant's Neutron routers with their external gateway,
interfaces on its VPCs' subnets and route table (seed 004 leaves RouteService open; it is
designed as Neutron routers). Each request is checked here before anything is written,
then done in the cloud by a Celery job (workflows/routers.py) under a Task, one at a
time per router (its `state`, taken by a conditional UPDATE).
"""

import ipaddress

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from portal.clouds.capabilities import ROUTER_CHANGE, refuse_unsupported
from portal.core.errors import Conflict, NotFound, ValidationFailed
from portal.core.principals import tenant_scope
from portal.core.services import create_task, enqueue, on_task_abandoned
from portal.network.cidrs import check_route
from portal.network.models import Network, Router, RouterInterface, State
from portal.network.services import project_of
from portal.tenants import quotas
from portal.tenants.regions import require_ready

CREATE_KIND = "router.create"
UPDATE_KIND = "router.update"  # its action: one of CHANGES
DELETE_KIND = "router.delete"
TARGET = "router"
CHANGES = (
    "rename", "set_gateway", "clear_gateway", "add_interface", "remove_interface", "add_route",
    "remove_route",
)  # fmt: skip


def routers_visible_to(user):
    """Operators see every tenant's routers; a tenant its own present ones."""
    tenant = tenant_scope(user)
    routers = Router.objects.filter(tenant__isnull=False)
    if tenant is None:
        return routers
    return routers.filter(tenant=tenant, missing_since__isnull=True)


def with_interfaces(routers):
    """`routers` with their interfaces' subnets and VPCs loaded (one query per page)."""
    interfaces = RouterInterface.objects.select_related("subnet__network").order_by("pk")
    return routers.select_related("cloud", "tenant", "current_task").prefetch_related(
        Prefetch("interfaces", queryset=interfaces)
    )


def external_networks(cloud):
    """The present external networks of `cloud` (Neutron's router:external, set by the
    operator): where a router's gateway may go."""
    return Network.objects.filter(cloud=cloud, external=True, missing_since__isnull=True)


def check_external_network(cloud, network_id) -> None:
    """400 unless `network_id` is a present external network of the router's cloud."""
    if not external_networks(cloud).filter(backend_id=network_id).exists():
        message = _("No external network %(id)s in this region.") % {"id": network_id}
        raise ValidationFailed(message, fields={"external_network_id": [message]})


# ---- create and delete --------------------------------------------------------------------


def create_router(tenant, cloud, *, name, external_network_id="", actor):
    """Accept a router (with its gateway on `external_network_id` if given); returns
    (router, Task)."""
    refuse_unsupported(cloud, ROUTER_CHANGE)
    require_ready(tenant, cloud)
    if external_network_id:
        check_external_network(cloud, external_network_id)
    with transaction.atomic():
        router = Router.objects.create(
            cloud=cloud, tenant=tenant, name=name, project_id=project_of(tenant, cloud),
            state=State.CREATING,
        )  # fmt: skip
        task = _router_task(router, CREATE_KIND, actor)
        quotas.reserve(tenant, task=task, holder=router, routers=1)
        enqueue(task, "portal.network.tasks.create_router", external_network_id)
    return router, task


def delete_router(router, *, actor):
    """Delete the router (its gateway goes with it); 409 while it has interfaces."""
    if router.interfaces.exists():
        raise Conflict(
            _("The router still has interfaces on subnets; remove them first."),
            code="router_in_use",
        )
    with transaction.atomic():
        _take(router, (State.READY, State.FAILED), State.DELETING)
        task = _router_task(router, DELETE_KIND, actor)
        enqueue(task, "portal.network.tasks.delete_router")
    return router, task


# ---- changes --------------------------------------------------------------------------------


def rename(router, name, *, actor):
    return _change(router, "rename", {"name": name}, actor)


def set_gateway(router, external_network_id, *, actor):
    check_external_network(router.cloud, external_network_id)
    return _change(router, "set_gateway", {"network_id": external_network_id}, actor)


def clear_gateway(router, *, actor):
    if not router.external_network_id:
        raise Conflict(_("The router has no external gateway."), code="no_gateway")
    return _change(router, "clear_gateway", {}, actor)


def add_interface(router, subnet, *, actor):
    """Plug the router into a subnet of one of its tenant's VPCs (found in the caller's
    scope); 409 if it or another router is on that subnet already."""
    if subnet.network.tenant_id != router.tenant_id or subnet.cloud_id != router.cloud_id:
        raise _no_subnet(subnet.subnet_id)
    if subnet.state != State.READY or not subnet.backend_id:
        raise Conflict(_("The subnet is not ready yet."), code="invalid_state")
    taken = subnet.router_interfaces.select_related("router").first()
    if taken is not None:
        message = _("The subnet %(cidr)s is an interface of router %(router)s already.")
        raise Conflict(
            message % {"cidr": subnet.cidr, "router": taken.router}, code="subnet_in_use"
        )
    return _change(router, "add_interface", {"subnet_id": subnet.backend_id}, actor)


def remove_interface(router, subnet, *, actor):
    """Unplug the router from a subnet; 409 while a route's next hop needs it."""
    if not router.interfaces.filter(subnet=subnet).exists():
        raise NotFound(_("The router has no interface on this subnet."), code="no_interface")
    needed = [route for route in router.routes if _in(route["nexthop"], subnet.cidr)]
    if needed:
        message = _("The route to %(destination)s goes through this interface; remove it first.")
        raise Conflict(message % needed[0], code="interface_in_use")
    return _change(router, "remove_interface", {"subnet_id": subnet.backend_id}, actor)


def add_route(router, destination, nexthop, *, actor):
    """Add a route-table entry: traffic for `destination` goes to `nexthop`, an address
    in one of the router's interface subnets."""
    connected = list(router.interfaces.values_list("subnet__cidr", flat=True))
    destination, nexthop = check_route(destination, nexthop, connected)
    entry = {"destination": destination, "nexthop": nexthop}
    if entry in router.routes:
        raise Conflict(_("The route table has this entry already."), code="route_exists")
    return _change(router, "add_route", entry, actor)


def remove_route(router, destination, nexthop, *, actor):
    entry = {"destination": destination, "nexthop": nexthop}
    if entry not in router.routes:
        raise NotFound(_("The route table has no such entry."), code="no_route")
    return _change(router, "remove_route", entry, actor)


def _change(router, action, params, actor):
    with transaction.atomic():
        _take(router, (State.READY,), State.UPDATING)
        task = _router_task(router, UPDATE_KIND, actor, action=action)
        enqueue(task, "portal.network.tasks.change_router", action, params)
    return router, task


# ---- helpers ------------------------------------------------------------------------------


def _in(address, cidr) -> bool:
    return ipaddress.ip_address(address) in ipaddress.ip_network(cidr)


def _no_subnet(subnet_id):
    message = _("No subnet %(id)s in your VPCs of this region.") % {"id": subnet_id}
    return ValidationFailed(message, fields={"subnet_id": [message]})


def _take(router, states, new_state):
    taken = Router.objects.filter(pk=router.pk, state__in=states).update(state=new_state)
    if not taken:
        router.refresh_from_db(fields=["state"])
        message = _("The router is %(state)s; try again when that has finished.")
        raise Conflict(message % {"state": router.get_state_display()}, code="invalid_state")
    router.state = new_state


def _router_task(router, kind, actor, action=""):
    task = create_task(
        kind, target_type=TARGET, target_id=router.router_id, tenant=router.tenant,
        actor=actor, action=action,
    )  # fmt: skip
    Router.objects.filter(pk=router.pk).update(current_task=task)
    router.current_task = task
    return task


@on_task_abandoned(CREATE_KIND)
def _abandoned_create(task):
    routers = Router.objects.filter(router_id=task.target_id, state=State.CREATING)
    routers.update(state=State.FAILED, state_message=task.message[:500])
    quotas.release_task_reservations(task)


@on_task_abandoned(UPDATE_KIND)
@on_task_abandoned(DELETE_KIND)
def _abandoned_change(task):
    routers = Router.objects.filter(router_id=task.target_id).exclude(state=State.CREATING)
    routers.update(state=State.READY, state_message=task.message[:500])
