"""Power operations (start, stop, reboot, suspend, resume; pause, unpause, lock and
unlock for administrators), waited for until the server settles."""

from portal.clouds.polling import wait_for_server
from portal.core.services import report_step
from portal.core.task_messages import TaskMessage
from portal.servers.locking import OPERATIONS, unlock
from portal.servers.task_messages import PowerMessages as M
from portal.servers.task_messages import operation_verb, runtime_state_label
from portal.servers.workflows.recording import record_server

# operate_type -> the Nova status the server settles in (None: unchanged)
SETTLES_IN = {
    "start": "ACTIVE",
    "stop": "SHUTOFF",
    "softreboot": "ACTIVE",
    "hardreboot": "ACTIVE",
    "suspend": "SUSPENDED",
    "resume": "ACTIVE",
    "pause": "PAUSED",
    "unpause": "ACTIVE",
}


def operate(task, server, driver, operate_type) -> TaskMessage:
    """Ask for the operation and wait until the server settles. A redelivered job finds a
    server already where the operation leads (and which it could not start from) and
    only records it, instead of failing on the cloud's refusal."""
    target = SETTLES_IN.get(operate_type)
    try:
        info = driver.compute.get_server(server.backend_id)
        if not (info.status == target and not OPERATIONS[operate_type].allows(info.status)):
            _ask(task, server, driver, operate_type)
        if target:
            report_step(task, 50, M.WAITING(state=runtime_state_label(target)))
            info = wait_for_server(
                driver, server, target, what=operation_verb(operate_type), cloud=server.cloud
            )
        else:
            info = driver.compute.get_server(server.backend_id)
        record_server(server, info)
    finally:
        unlock(server)
    return M.SETTLED(state=runtime_state_label(server.runtime_state))


def _ask(task, server, driver, operate_type):
    report_step(task, 20, M.ASKING(op=operation_verb(operate_type)))
    method = getattr(driver.compute, OPERATIONS[operate_type].method)
    if operate_type == "hardreboot":
        method(server.backend_id, hard=True)
    else:
        method(server.backend_id)
