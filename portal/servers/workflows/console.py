"""A server's remote console and console log, the worker side: one cloud read each, its
answer kept in the Task's `result` for the request waiting on it (servers/console.py)."""

from dataclasses import asdict

from portal.core.task_messages import TaskMessage
from portal.servers.task_messages import ConsoleMessages as M


def get_console(task, server, driver) -> TaskMessage:
    console = driver.compute.get_remote_console(server.backend_id)
    task.result = asdict(console)
    return M.READY(protocol=console.protocol)


def get_console_log(task, server, driver, lines) -> TaskMessage:
    output = driver.compute.get_console_output(server.backend_id, lines)
    task.result = {"lines": lines, "output": output}
    return M.LOG_READ(lines=lines)
