"""A server's operations and its one-operation-at-a-time lock, for both sides: what the
server's state allows (`available_actions`, which the API and the admin follow), the
Task each operation runs as, taking and giving back the lock, and what the stuck-task
janitor gives back when it fails an operation's Task."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.clouds.capabilities import unsupported_operations
from portal.core.errors import Conflict
from portal.core.services import create_task, on_task_abandoned
from portal.servers.models import Server
from portal.tenants import quotas

SERVER_TARGET = "server"
CREATE_KIND = "server.create"
DELETE_KIND = "server.delete"
OPERATE_KIND = "server.operate"
RESIZE_KIND = "server.resize"
CONFIRM_RESIZE_KIND = "server.resize_confirm"
REVERT_RESIZE_KIND = "server.resize_revert"
CLEANUP_KIND = "server.cleanup"  # leftovers of a failed create, queued by the state sync


@dataclass(frozen=True)
class Operation:
    method: str  # the ComputeAPI method
    allowed_from: tuple[str, ...]  # Nova statuses it may start from
    admin_only: bool = False

    def allows(self, runtime_state) -> bool:
        return not self.allowed_from or runtime_state in self.allowed_from


OPERATIONS = {
    "start": Operation("start_server", ("SHUTOFF",)),
    "stop": Operation("stop_server", ("ACTIVE", "ERROR")),
    "softreboot": Operation("reboot_server", ("ACTIVE",)),
    "hardreboot": Operation("reboot_server", ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "ERROR")),
    "suspend": Operation("suspend_server", ("ACTIVE",)),
    "resume": Operation("resume_server", ("SUSPENDED",)),
    "pause": Operation("pause_server", ("ACTIVE",), admin_only=True),
    "unpause": Operation("unpause_server", ("PAUSED",), admin_only=True),
    "lock": Operation("lock_server", (), admin_only=True),
    "unlock": Operation("unlock_server", (), admin_only=True),
}
TENANT_OPERATIONS = tuple(name for name, op in OPERATIONS.items() if not op.admin_only)
RESIZABLE_STATES = ("ACTIVE", "SHUTOFF")  # Nova statuses a resize may start from
# Portal statuses each kind of request may lock the server in (the others: ready only).
DELETABLE_STATUSES = (Server.Status.READY, Server.Status.FAILED, Server.Status.RESIZED)
AWAITING_CONFIRMATION = (Server.Status.RESIZED,)


def available_actions(server, *, operator=False) -> list[str]:
    """What the server's state allows now, as the requests check it: the operations of
    OPERATIONS (the administrators' only for an `operator`), "resize", "confirm" and
    "revert" (a resize left for confirmation), "delete". None while one runs, nor what
    the server's cloud cannot do (clouds.capabilities)."""
    if server.locked:
        return []
    unsupported = unsupported_operations(server.cloud.kind)
    actions = []
    if server.status == Server.Status.READY:
        actions += [
            name
            for name, operation in OPERATIONS.items()
            if (operator or not operation.admin_only) and operation.allows(server.runtime_state)
        ]
        if server.runtime_state in RESIZABLE_STATES:
            actions.append("resize")
    if server.status in AWAITING_CONFIRMATION:
        actions += ["confirm", "revert"]
    if server.status in DELETABLE_STATUSES:
        actions.append("delete")
    return [action for action in actions if action not in unsupported]


def server_task(server, kind, actor, deadline=None, action=""):
    """A Task on `server`, in its history (reads of the cloud, e.g. its console log)."""
    return create_task(
        kind,
        action=action,
        target_type=SERVER_TARGET,
        target_id=server.instance_id,
        tenant=server.tenant,
        actor=actor,
        deadline=deadline,
    )


def new_server_task(server, kind, actor, deadline=None, action=""):
    """A Task on `server`, recorded as its current one (ISO mounts use it too)."""
    task = server_task(server, kind, actor, deadline, action)
    Server.objects.filter(pk=server.pk).update(current_task=task)
    server.current_task = task
    return task


def lock_for_operation(server, *, statuses=(Server.Status.READY,)):
    """Take the server's operation lock (a conditional UPDATE: exactly one of two
    concurrent requests gets it); 409 if another operation holds it or the server's
    status does not allow one."""
    taken = Server.objects.filter(pk=server.pk, locked=False, status__in=statuses).update(
        locked=True, updated=timezone.now()
    )
    if not taken:
        server.refresh_from_db(fields=["locked", "status"])
        if server.locked:
            raise Conflict(
                _("Another operation is running on this server; try again when it ends."),
                code="locked",
            )
        raise Conflict(
            _("The server is %(status)s; this operation is not possible now.")
            % {"status": server.get_status_display()},
            code="invalid_state",
        )
    server.locked = True


def unlock(server):
    Server.objects.filter(pk=server.pk).update(locked=False, updated=timezone.now())
    server.locked = False


# ---- what the stuck-task janitor releases ------------------------------------------------
# Also run by a job that fails before its flow could start (no cloud driver).


def _server_of(task):
    return Server.objects.filter(instance_id=task.target_id).first()


@on_task_abandoned(CREATE_KIND)
def _abandoned_create(task):
    quotas.release_task_reservations(task)
    server = _server_of(task)
    if server is not None:
        # What the cloud may hold is found by the state sync, which queues its removal.
        Server.objects.filter(pk=server.pk, status=Server.Status.CREATING).update(
            status=Server.Status.FAILED,
            status_message=task.message[:500],
            locked=False,
            updated=timezone.now(),  # a sync running now leaves it for the next one
        )


@on_task_abandoned(RESIZE_KIND)
def _abandoned_resize(task):
    quotas.release_task_reservations(task)
    _back_to_ready(task, Server.Status.RESIZING)


@on_task_abandoned(DELETE_KIND)
def _abandoned_delete(task):
    _back_to_ready(task, Server.Status.DELETING)


def _back_to_ready(task, status):
    """The server is ready again if the request left it in `status`; unlocked."""
    server = _server_of(task)
    if server is not None:
        Server.objects.filter(pk=server.pk, status=status).update(status=Server.Status.READY)
        unlock(server)


@on_task_abandoned(OPERATE_KIND)
@on_task_abandoned(CONFIRM_RESIZE_KIND)
@on_task_abandoned(REVERT_RESIZE_KIND)
@on_task_abandoned(CLEANUP_KIND)
def _abandoned_operation(task):
    """Only the lock: a resize left for confirmation stays so (confirm or revert again)."""
    server = _server_of(task)
    if server is not None:
        unlock(server)
