"""VPCs, the request side: a VPC is a Neutron network of the tenant's project with its
subnets (seed 004's VpcService). Create, rename, delete, and add or remove subnets: each
is checked here, before anything is written, then done in the cloud by a Celery job
(workflows/vpcs.py) under a Task. One operation at a time: the VPC's `state` is taken
by a conditional UPDATE, so of two concurrent requests one gets 409.
"""

from collections.abc import Callable

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from portal.clouds.capabilities import NETWORK_CHANGE, refuse_unsupported
from portal.core.errors import Conflict
from portal.core.principals import tenant_scope
from portal.core.services import create_task, enqueue, on_task_abandoned
from portal.network.cidrs import check_subnet
from portal.network.models import Network, RouterInterface, State, Subnet
from portal.network.services import project_of
from portal.tenants import quotas
from portal.tenants.regions import require_ready

CREATE_KIND = "vpc.create"
UPDATE_KIND = "vpc.update"
DELETE_KIND = "vpc.delete"
ADD_SUBNET_KIND = "vpc.add_subnet"
REMOVE_SUBNET_KIND = "vpc.remove_subnet"
TARGET = "vpc"

# Who else plugs into a VPC: apps above this one (servers) register a lookup
# `users(vpc) -> [description, ...]`, so a VPC in use is refused without importing them.
_network_users: list[Callable[[Network], list[str]]] = []


def register_network_users(lookup: Callable[[Network], list[str]]) -> None:
    _network_users.append(lookup)


def vpcs_of_tenants():
    """Every tenant's VPCs: the networks of tenants' projects (external ones aside)."""
    return Network.objects.filter(tenant__isnull=False, external=False)


def vpcs_visible_to(user):
    """Operators see every VPC; a tenant its own present ones."""
    tenant = tenant_scope(user)
    vpcs = vpcs_of_tenants()
    if tenant is None:
        return vpcs
    return vpcs.filter(tenant=tenant, missing_since__isnull=True)


def with_subnets(vpcs):
    """`vpcs` with their present subnets loaded (one query for a whole page)."""
    present = Subnet.objects.filter(missing_since__isnull=True).order_by("pk")
    return vpcs.select_related("cloud", "current_task").prefetch_related(
        Prefetch("subnets", queryset=present)
    )


def present_subnets(vpc):
    return vpc.subnets.filter(missing_since__isnull=True)


# ---- create, update, delete -------------------------------------------------------------


def create_vpc(tenant, cloud, *, name, description="", cidr, actor):
    """Accept a VPC with its first subnet; returns (vpc, Task). Refused before anything
    is written: a region where the tenant is not ready (409), a bad range (400) and a
    full `vpcs` quota (409)."""
    refuse_unsupported(cloud, NETWORK_CHANGE)
    require_ready(tenant, cloud)
    block = check_subnet(cidr)
    with transaction.atomic():
        vpc = Network.objects.create(
            cloud=cloud, tenant=tenant, name=name, description=description,
            project_id=project_of(tenant, cloud), state=State.CREATING,
        )  # fmt: skip
        Subnet.objects.create(
            cloud=cloud, network=vpc, name=f"{name}-subnet", cidr=str(block),
            ip_version=block.version, state=State.CREATING,
        )  # fmt: skip
        task = _vpc_task(vpc, CREATE_KIND, actor)
        quotas.reserve(tenant, task=task, holder=vpc, vpcs=1)
        enqueue(task, "portal.network.tasks.create_vpc")
    return vpc, task


def update_vpc(vpc, *, name=None, description=None, actor):
    """Rename the VPC or change its description in the cloud; returns (vpc, Task)."""
    with transaction.atomic():
        _take(vpc, (State.READY,), State.UPDATING)
        task = _vpc_task(vpc, UPDATE_KIND, actor)
        enqueue(task, "portal.network.tasks.update_vpc", name, description)
    return vpc, task


def delete_vpc(vpc, *, actor):
    """Delete the VPC and its subnets; 409 while routers or servers use it."""
    users = users_of(vpc)
    if users:
        message = _("The VPC is in use by %(users)s; remove them from it first.")
        raise Conflict(message % {"users": ", ".join(users)}, code="vpc_in_use")
    with transaction.atomic():
        _take(vpc, (State.READY, State.FAILED), State.DELETING)
        task = _vpc_task(vpc, DELETE_KIND, actor)
        enqueue(task, "portal.network.tasks.delete_vpc")
    return vpc, task


def users_of(vpc) -> list[str]:
    """What still uses the VPC: routers with an interface on it, and what other apps
    register (servers)."""
    interfaces = RouterInterface.objects.filter(subnet__network=vpc).select_related("router")
    routers = sorted({_("router %(name)s") % {"name": i.router} for i in interfaces})
    return routers + [user for lookup in _network_users for user in lookup(vpc)]


# ---- subnets ------------------------------------------------------------------------------


def add_subnet(vpc, *, cidr, name="", actor):
    """Add a subnet to the VPC; returns (subnet, Task). A range overlapping another
    subnet of the VPC is 409, a bad one 400, both before anything is written."""
    refuse_unsupported(vpc.cloud, NETWORK_CHANGE)
    with transaction.atomic():
        _take(vpc, (State.READY,), State.UPDATING)
        existing = present_subnets(vpc).values_list("cidr", flat=True)
        block = check_subnet(cidr, list(existing), field="cidr")
        subnet = Subnet.objects.create(
            cloud=vpc.cloud, network=vpc, name=name or f"{vpc.name}-subnet", cidr=str(block),
            ip_version=block.version, state=State.CREATING,
        )  # fmt: skip
        task = _vpc_task(vpc, ADD_SUBNET_KIND, actor)
        enqueue(task, "portal.network.tasks.add_subnet", subnet.pk)
    return subnet, task


def remove_subnet(vpc, subnet, *, actor):
    """Remove one subnet of the VPC; 409 while a router has an interface on it."""
    routers = sorted(str(i.router) for i in subnet.router_interfaces.select_related("router"))
    if routers:
        message = _("The subnet %(cidr)s is an interface of router %(routers)s; remove it there.")
        values = {"cidr": subnet.cidr, "routers": ", ".join(routers)}
        raise Conflict(message % values, code="subnet_in_use")
    with transaction.atomic():
        _take(vpc, (State.READY,), State.UPDATING)
        Subnet.objects.filter(pk=subnet.pk).update(state=State.DELETING)
        task = _vpc_task(vpc, REMOVE_SUBNET_KIND, actor)
        enqueue(task, "portal.network.tasks.remove_subnet", subnet.pk)
    return subnet, task


# ---- helpers ------------------------------------------------------------------------------


def _take(vpc, states, new_state):
    """Move the VPC to `new_state` if it is in one of `states` (a conditional UPDATE:
    one of two concurrent requests wins); 409 otherwise."""
    taken = Network.objects.filter(pk=vpc.pk, state__in=states).update(state=new_state)
    if not taken:
        vpc.refresh_from_db(fields=["state"])
        message = _("The VPC is %(state)s; try again when that has finished.")
        raise Conflict(message % {"state": vpc.get_state_display()}, code="invalid_state")
    vpc.state = new_state


def _vpc_task(vpc, kind, actor):
    task = create_task(
        kind, target_type=TARGET, target_id=vpc.vpc_id, tenant=vpc.tenant, actor=actor
    )
    Network.objects.filter(pk=vpc.pk).update(current_task=task)
    vpc.current_task = task
    return task


# ---- what the stuck-task janitor releases -------------------------------------------------
# Also run by a job that cannot open the tenant's driver (no cloud user yet).


@on_task_abandoned(CREATE_KIND)
def _abandoned_create(task):
    vpc = Network.objects.filter(vpc_id=task.target_id, state=State.CREATING)
    vpc.update(state=State.FAILED, state_message=task.message[:500])
    quotas.release_task_reservations(task)


@on_task_abandoned(UPDATE_KIND)
@on_task_abandoned(DELETE_KIND)
@on_task_abandoned(ADD_SUBNET_KIND)
@on_task_abandoned(REMOVE_SUBNET_KIND)
def _abandoned_change(task):
    vpcs = Network.objects.filter(vpc_id=task.target_id)
    Subnet.objects.filter(network__in=vpcs, state=State.CREATING).delete()
    Subnet.objects.filter(network__in=vpcs, state=State.DELETING).update(state=State.READY)
    vpcs.exclude(state=State.CREATING).update(state=State.READY, state_message=task.message[:500])
