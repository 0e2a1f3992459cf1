"""Nova's remote consoles and console log, as Nova answers and refuses them.

A console URL is a noVNC (or SPICE) address on 127.0.0.1 with a fresh token; a cloud
whose `options["console_protocols"]` leaves VNC out refuses it (400) as Nova does with
`[vnc] enabled = false`, and SPICE is tried next. The console log is made up from the
server's own record: its boot, its addresses, and a power-down if it is shut off.
"""

import secrets

from django.utils.translation import gettext as _

from portal.clouds.base import RemoteConsole
from portal.clouds.simulator.refusals import bad_request
from portal.clouds.simulator.servers import ServerAccess, require_server_status

CONSOLE_URLS = {
    ("vnc", "novnc"): "http://127.0.0.1:6080/vnc_auto.html?path=%3Ftoken%3D{token}",
    ("spice", "spice-html5"): "http://127.0.0.1:6082/spice_auto.html?token={token}",
}
# Nova has no host to ask before the build is placed, and the hypervisor offers a
# console only while the guest runs.
CONSOLE_STATUSES = ("ACTIVE",)
LOG_STATUSES = ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "ERROR", "VERIFY_RESIZE")


class ConsoleOperations(ServerAccess):
    def get_remote_console(self, server_id: str) -> RemoteConsole:
        server = self._find_server(server_id)
        require_server_status(server, CONSOLE_STATUSES, "get_remote_console")
        offered = self.cloud.options.get("console_protocols", ["vnc", "spice"])
        for (protocol, console_type), url in CONSOLE_URLS.items():
            if protocol in offered:
                token = secrets.token_urlsafe(16)
                return RemoteConsole(protocol, console_type, url.format(token=token))
        raise bad_request(_("Unavailable console type %(type)s."), type="novnc")

    def get_console_output(self, server_id: str, lines: int) -> str:
        server = self._find_server(server_id)
        require_server_status(server, LOG_STATUSES, "get_console_output")
        log = boot_log(server, self._server_info(server).addresses)
        return "\n".join(log[-lines:]) if lines > 0 else ""


def boot_log(server, addresses: dict[str, list[str]]) -> list[str]:
    """The console lines of `server` since it was built (kernel, cloud-init, login)."""
    booted = server.created.strftime("%a, %d %b %Y %H:%M:%S +0000")
    log = [
        "[    0.000000] Linux version 6.1.0-simulated (portal@simulator)",
        f"[    0.000000] Command line: root=/dev/vda1 console=ttyS0 hostname={server.name}",
        "[    1.204311] EXT4-fs (vda1): mounted filesystem with ordered data mode",
        f"cloud-init: Cloud-init v. 24.1 running 'init' at {booted}.",
    ]
    for network, ips in addresses.items():
        log += [f"cloud-init: ci-info: {network}: {ip}" for ip in ips]
    log += [
        f"cloud-init: Cloud-init v. 24.1 finished at {booted}. Datasource DataSourceOpenStack.",
        "",
        f"{server.name} login: ",
    ]
    if server.data.get("power_state") == "shutdown":
        log += ["[  OK  ] Reached target System Power Off.", "reboot: Power down"]
    return log
