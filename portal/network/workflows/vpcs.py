"""VPCs, the cloud side (run by the jobs of tasks.py with the tenant's own driver): each
step is recorded as soon as the cloud answers, so a failure undoes what was made; what
the portal keeps is what the cloud answered (seed 004 rule 4)."""

import logging

from django.db import transaction

from portal.clouds.errors import CloudNotFound
from portal.core.errors import PortalError
from portal.core.services import report_step
from portal.network.models import Network, State, Subnet
from portal.network.task_messages import VpcMessages as M
from portal.network.workflows.records import apply, network_fields, subnet_fields
from portal.tenants import quotas

logger = logging.getLogger(__name__)


def create(task, vpc: Network, driver):
    """Create the network, then its first subnet; on failure the network (and with it
    the subnet) is deleted and the VPC is failed with the reason. A redelivered job
    first removes the network of the interrupted attempt."""
    if vpc.state != State.CREATING:
        return M.ALREADY(name=vpc.name, state=vpc.get_state_display())
    subnet = vpc.subnets.get()
    try:
        if vpc.backend_id:
            driver.network.delete_network(vpc.backend_id)
            apply(vpc, {"backend_id": None})
        report_step(task, 10, M.CREATING_NETWORK)
        info = driver.network.create_network(vpc.name, description=vpc.description)
        apply(vpc, {"backend_id": info.id})
        report_step(task, 50, M.CREATING_SUBNET(cidr=subnet.cidr))
        made = driver.network.create_subnet(info.id, subnet.cidr, name=subnet.name)
        apply(subnet, {"backend_id": made.id, **subnet_fields(made, vpc.pk)})
        info = driver.network.get_network(info.id)
    except Exception as exc:
        _undo_create(vpc, driver, exc)
        quotas.release_task_reservations(task)
        raise
    with transaction.atomic():
        quotas.commit_task_reservations(task)
        apply(subnet, {"state": State.READY})
        apply(vpc, {**_fields(vpc, info), "state": State.READY, "state_message": ""})
    return M.CREATED(name=vpc.name, cidr=subnet.cidr)


def _undo_create(vpc, driver, exc):
    reason = exc.message if isinstance(exc, PortalError) else str(M.FAILED)
    if vpc.backend_id:
        try:
            driver.network.delete_network(vpc.backend_id)
        except PortalError as cleanup:
            logger.warning("network %s of VPC %s left over: %s", vpc.backend_id, vpc.pk, cleanup)
            reason = str(M.LEFT_OVER(reason=reason, id=vpc.backend_id))
    with transaction.atomic():
        # What the cloud no longer holds loses its id; the rows stay as the failure's record.
        vpc.subnets.update(backend_id=None, state=State.FAILED)
        apply(vpc, {"backend_id": None, "state": State.FAILED, "state_message": reason[:500]})


def update(task, vpc: Network, driver, name=None, description=None):
    report_step(task, 30, M.UPDATING)
    try:
        info = driver.network.update_network(vpc.backend_id, name=name, description=description)
    except Exception:
        apply(vpc, {"state": State.READY})
        raise
    apply(vpc, {**_fields(vpc, info), "state": State.READY, "state_message": ""})
    return M.UPDATED(name=vpc.name)


def delete(task, vpc: Network, driver):
    """Delete the network (Neutron deletes its subnets with it; it refuses while ports
    use it), then the VPC's rows."""
    report_step(task, 30, M.DELETING)
    try:
        if vpc.backend_id:
            driver.network.delete_network(vpc.backend_id)
    except CloudNotFound:
        pass  # gone already
    except Exception:
        apply(vpc, {"state": State.READY})
        raise
    with transaction.atomic():
        quotas.release_held_by(vpc)
        vpc.delete()
    return M.DELETED(name=vpc.name)


def add_subnet(task, vpc: Network, driver, subnet_pk):
    subnet = Subnet.objects.get(pk=subnet_pk)
    report_step(task, 30, M.CREATING_SUBNET(cidr=subnet.cidr))
    try:
        made = driver.network.create_subnet(vpc.backend_id, subnet.cidr, name=subnet.name)
    except Exception:
        with transaction.atomic():
            subnet.delete()  # nothing was made: the failed Task is the record
            apply(vpc, {"state": State.READY})
        raise
    with transaction.atomic():
        apply(subnet, {"backend_id": made.id, **subnet_fields(made, vpc.pk), "state": State.READY})
        apply(vpc, {"state": State.READY})
    return M.SUBNET_ADDED(cidr=subnet.cidr, name=vpc.name)


def remove_subnet(task, vpc: Network, driver, subnet_pk):
    subnet = Subnet.objects.get(pk=subnet_pk)
    report_step(task, 30, M.DELETING_SUBNET(cidr=subnet.cidr))
    try:
        if subnet.backend_id:
            driver.network.delete_subnet(subnet.backend_id)
    except CloudNotFound:
        pass  # gone already
    except Exception:
        with transaction.atomic():
            apply(subnet, {"state": State.READY})
            apply(vpc, {"state": State.READY})
        raise
    with transaction.atomic():
        subnet.delete()
        apply(vpc, {"state": State.READY})
    return M.SUBNET_REMOVED(cidr=subnet.cidr, name=vpc.name)


def _fields(vpc, info):
    """The network's re-read fields, keeping the VPC's tenant."""
    return network_fields(info, {info.project_id: vpc.tenant_id})
