"""An Azure VM's provisioning state and instance-view codes, in Nova's words: the status,
power state and task state the portal's flows and the state sync understand."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerState:
    status: str  # Nova's: BUILD ACTIVE SHUTOFF ERROR DELETED UNKNOWN
    power_state: str  # running | shutdown | nostate
    task_state: str | None = None
    fault: str = ""


# PowerState/<code> of the instance view. A VM being stopped is still running (Nova's
# ACTIVE with task powering-off) and one being started still off, as Nova shows them.
# Stopped (powered off, still allocated and billed) and deallocated are both SHUTOFF.
_BY_POWER = {
    "running": ServerState("ACTIVE", "running"),
    "starting": ServerState("SHUTOFF", "shutdown", "powering-on"),
    "stopping": ServerState("ACTIVE", "running", "powering-off"),
    "deallocating": ServerState("ACTIVE", "running", "powering-off"),
    "stopped": ServerState("SHUTOFF", "shutdown"),
    "deallocated": ServerState("SHUTOFF", "shutdown"),
}
_POWER_ONLY = {"running": "running", "stopped": "shutdown", "deallocated": "shutdown"}


def power_code(codes: list[str]) -> str:
    """ "running" from ["ProvisioningState/succeeded", "PowerState/running"]; "" if none."""
    for code in codes:
        if code.lower().startswith("powerstate/"):
            return code.split("/", 1)[1].lower()
    return ""


def server_state(provisioning_state: str, codes: list[str], fault: str = "") -> ServerState:
    """The Nova-like state of a VM from its provisioning state (Creating, Updating,
    Succeeded, Failed, Deleting, Migrating) and its instance view's status codes."""
    provisioning = (provisioning_state or "").lower()
    power = power_code(codes)
    if provisioning == "failed":
        return ServerState("ERROR", _POWER_ONLY.get(power, "nostate"), fault=fault)
    if provisioning == "creating":
        return ServerState("BUILD", "nostate", "spawning")
    if provisioning == "deleting":
        return ServerState("DELETED", _POWER_ONLY.get(power, "nostate"), "deleting")
    return _BY_POWER.get(power, ServerState("UNKNOWN", "nostate"))
