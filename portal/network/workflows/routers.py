"""Routers, the cloud side (run by the jobs of tasks.py with the tenant's own driver).
Each change is one call to Neutron (a route-table change re-reads the table from the
cloud and writes it whole), so a refusal leaves the router as it was; the router's
mirror is then what Neutron answered."""

import logging

from django.db import transaction

from portal.clouds.base_network import RouteEntry
from portal.clouds.errors import CloudNotFound
from portal.core.errors import PortalError
from portal.core.services import report_step
from portal.network.models import Router, State
from portal.network.task_messages import RouterMessages as M
from portal.network.workflows.records import apply, router_fields, set_interfaces
from portal.tenants import quotas

logger = logging.getLogger(__name__)


def create(task, router: Router, driver, external_network_id=""):
    if router.state != State.CREATING:
        return M.ALREADY(name=router.name, state=router.get_state_display())
    report_step(task, 20, M.CREATING)
    try:
        info = driver.network.create_router(router.name, external_network_id=external_network_id)
    except Exception as exc:
        reason = exc.message if isinstance(exc, PortalError) else str(M.FAILED)
        apply(router, {"state": State.FAILED, "state_message": reason[:500]})
        quotas.release_task_reservations(task)
        raise
    with transaction.atomic():
        quotas.commit_task_reservations(task)
        _record(router, info, backend_id=info.id)
    return M.CREATED(name=router.name)


def delete(task, router: Router, driver):
    report_step(task, 30, M.DELETING)
    try:
        if router.backend_id:
            driver.network.delete_router(router.backend_id)
    except CloudNotFound:
        pass  # gone already
    except Exception:
        apply(router, {"state": State.READY})
        raise
    with transaction.atomic():
        quotas.release_held_by(router)
        router.delete()
    return M.DELETED(name=router.name)


def change(task, router: Router, driver, action, params):
    """One change of the router (an action of routers.CHANGES), then its re-read."""
    report_step(task, 30, M.CHANGING)
    network = driver.network
    try:
        if action == "rename":
            info = network.update_router(router.backend_id, name=params["name"])
        elif action in ("set_gateway", "clear_gateway"):
            info = network.set_router_gateway(router.backend_id, params.get("network_id", ""))
        elif action == "add_interface":
            network.add_router_interface(router.backend_id, params["subnet_id"])
            info = network.get_router(router.backend_id)
        elif action == "remove_interface":
            network.remove_router_interface(router.backend_id, params["subnet_id"])
            info = network.get_router(router.backend_id)
        else:
            entry = RouteEntry(**params)
            table = [r for r in network.get_router(router.backend_id).routes if r != entry]
            info = network.set_router_routes(
                router.backend_id, [*table, entry] if action == "add_route" else table
            )
    except Exception as exc:
        reason = exc.message if isinstance(exc, PortalError) else str(M.FAILED)
        apply(router, {"state": State.READY, "state_message": reason[:500]})
        raise
    _record(router, info)
    return M.CHANGED(name=router.name)


def _record(router, info, **extra):
    """Keep what the cloud answered: the router's fields and its interfaces."""
    with transaction.atomic():
        fields = router_fields(info, {info.project_id: router.tenant_id})
        apply(router, {**extra, **fields, "state": State.READY, "state_message": ""})
        set_interfaces(router.cloud, {router.pk: info.subnet_ids})
