"""Nova server actions: power changes and the resize flow, each a timed transition.

While an action runs the server shows Nova's interim status and task_state; then it
reaches the final status (see state.py for how "then" is applied lazily). Nova refuses
an action from a state it does not allow, or while another action runs, with 409.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from portal.clouds.simulator import state
from portal.clouds.simulator import visibility as visible
from portal.clouds.simulator.quotas import check_quota
from portal.clouds.simulator.refusals import bad_request
from portal.clouds.simulator.servers import ServerAccess, require_server_status

RESIZABLE_STATUSES = ("ACTIVE", "SHUTOFF")


@dataclass(frozen=True)
class PowerAction:
    delay_name: str  # its key in cloud.options["delays"]
    allowed_from: tuple[str, ...]
    task_state: str
    final_status: str
    power_state: str
    interim_status: str = ""  # "": the status stays as it is while the action runs


POWER_ACTIONS = {
    "start": PowerAction("start", ("SHUTOFF",), "powering-on", "ACTIVE", "running"),
    "stop": PowerAction("stop", ("ACTIVE", "ERROR"), "powering-off", "SHUTOFF", "shutdown"),
    # Nova shows REBOOT / HARD_REBOOT as the status while a reboot runs.
    "reboot": PowerAction("reboot", ("ACTIVE",), "rebooting", "ACTIVE", "running", "REBOOT"),
    "reboot_hard": PowerAction(
        "reboot",
        ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "ERROR"),
        "rebooting_hard",
        "ACTIVE",
        "running",
        "HARD_REBOOT",
    ),
    "suspend": PowerAction("suspend", ("ACTIVE",), "suspending", "SUSPENDED", "suspended"),
    "resume": PowerAction("resume", ("SUSPENDED",), "resuming", "ACTIVE", "running"),
    "pause": PowerAction("pause", ("ACTIVE",), "pausing", "PAUSED", "paused"),
    "unpause": PowerAction("unpause", ("PAUSED",), "unpausing", "ACTIVE", "running"),
}


class ServerActions(ServerAccess):
    def start_server(self, server_id: str) -> None:
        self._power(server_id, "start")

    def stop_server(self, server_id: str) -> None:
        self._power(server_id, "stop")

    def reboot_server(self, server_id: str, hard: bool = False) -> None:
        self._power(server_id, "reboot_hard" if hard else "reboot")

    def suspend_server(self, server_id: str) -> None:
        self._power(server_id, "suspend")

    def resume_server(self, server_id: str) -> None:
        self._power(server_id, "resume")

    def pause_server(self, server_id: str) -> None:
        self._power(server_id, "pause")

    def unpause_server(self, server_id: str) -> None:
        self._power(server_id, "unpause")

    def resize_server(self, server_id: str, flavor_id: str) -> None:
        flavor = self._get(visible.flavors(self.scope), flavor_id, _("flavor"))
        with self._changing_server(server_id) as server:
            require_server_status(server, RESIZABLE_STATUSES, "resize")
            if server.data["flavor_id"] == flavor.backend_id:
                raise bad_request(_("A resize must change the server's flavor."))
            check_quota(
                self.cloud,
                server.project_id,
                cores=flavor.data["vcpus"] - server.data["vcpus"],
                ram=flavor.data["ram"] - server.data["ram"],
            )
            # What confirm returns to and revert restores.
            before = {key: server.data[key] for key in ("flavor_id", "vcpus", "ram")}
            before.update(status=server.status, power_state=server.data.get("power_state"))
            new_flavor = {
                "flavor_id": flavor.backend_id,
                "vcpus": flavor.data["vcpus"],
                "ram": flavor.data["ram"],
            }
            state.begin(
                server,
                "resize",
                interim={
                    "status": "RESIZE",
                    "task_state": "resize_prep",
                    "data": {"before": before},
                },
                final={"status": "VERIFY_RESIZE", "task_state": None, "data": new_flavor},
            )

    def confirm_resize(self, server_id: str) -> None:
        with self._changing_server(server_id) as server:
            require_server_status(server, ("VERIFY_RESIZE",), "confirm_resize")
            before = server.data["before"]
            state.begin(
                server,
                "confirm_resize",
                interim={"task_state": "resize_confirming"},
                final={"status": before["status"], "task_state": None, "data": {"before": None}},
            )

    def revert_resize(self, server_id: str) -> None:
        with self._changing_server(server_id) as server:
            require_server_status(server, ("VERIFY_RESIZE",), "revert_resize")
            before = server.data["before"]
            restored = {key: before[key] for key in ("flavor_id", "vcpus", "ram", "power_state")}
            state.begin(
                server,
                "revert_resize",
                interim={"status": "REVERT_RESIZE", "task_state": "resize_reverting"},
                final={
                    "status": before["status"],
                    "task_state": None,
                    "data": {**restored, "before": None},
                },
            )

    # ---- helpers -------------------------------------------------------------------

    def _power(self, server_id: str, action_name: str) -> None:
        action = POWER_ACTIONS[action_name]
        with self._changing_server(server_id) as server:
            require_server_status(server, action.allowed_from, action_name)
            interim = {"task_state": action.task_state}
            if action.interim_status:
                interim["status"] = action.interim_status
            state.begin(
                server,
                action.delay_name,
                interim=interim,
                final={
                    "status": action.final_status,
                    "task_state": None,
                    "data": {"power_state": action.power_state},
                },
            )
