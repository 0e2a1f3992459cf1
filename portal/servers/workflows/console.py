"""A server's remote console and console log, the worker side: one cloud read each, its
answer kept in the Task's `result` for the request waiting on it (servers/console.py)."""

from dataclasses import asdict

from django.utils.translation import gettext as _


def get_console(task, server, driver) -> str:
    console = driver.compute.get_remote_console(server.backend_id)
    task.result = asdict(console)
    return _("The %(protocol)s console is ready.") % {"protocol": console.protocol}


def get_console_log(task, server, driver, lines) -> str:
    output = driver.compute.get_console_output(server.backend_id, lines)
    task.result = {"lines": lines, "output": output}
    return _("The last %(lines)d lines of the console log were read.") % {"lines": lines}
