"""The OpenStack driver's console calls for what the local OpenStack cannot show on demand
(its Nova offers VNC; it does not hang): the SPICE fallback where a cloud refuses VNC, and
the SDK's errors translated. The calls themselves are checked against the real Nova in
openstack/test_consoles.py."""

from types import SimpleNamespace

import pytest
import requests
from openstack import exceptions as sdk_exc

from portal.clouds.errors import CloudBadRequest, CloudConflict, CloudNotFound, CloudUnavailable
from portal.clouds.openstack.compute import ComputeAPI

NOT_OFFERED = sdk_exc.BadRequestException("Unavailable console type novnc.", http_status=400)


class FakeNova:
    """The compute proxy's console calls, answering from `refusals` (protocol -> error)."""

    def __init__(self, refusals=None, failure=None):
        self.refusals = refusals or {}
        self.failure = failure
        self.asked = []

    def create_server_remote_console(self, server_id, *, protocol, type):
        self.asked.append(protocol)
        if protocol in self.refusals:
            raise self.refusals[protocol]
        return SimpleNamespace(protocol=protocol, type=type, url=f"http://console/{protocol}")

    def get_server_console_output(self, server_id, length):
        if self.failure:
            raise self.failure
        return {"output": "\n".join(["first", "second", "last"][-length:])}


def compute_api(nova) -> ComputeAPI:
    connection = SimpleNamespace(compute=nova)
    handle = SimpleNamespace(connection=lambda: connection, forget=lambda: None, is_admin=False)
    return ComputeAPI(handle)


def test_vnc_first():
    nova = FakeNova()
    console = compute_api(nova).get_remote_console("s-1")
    assert (console.protocol, console.type, nova.asked) == ("vnc", "novnc", ["vnc"])


def test_spice_where_the_cloud_refuses_vnc():
    nova = FakeNova(refusals={"vnc": NOT_OFFERED})
    console = compute_api(nova).get_remote_console("s-1")
    assert (console.protocol, console.type, console.url) == (
        "spice", "spice-html5", "http://console/spice",
    )  # fmt: skip
    assert nova.asked == ["vnc", "spice"]


def test_no_console_at_all_is_a_bad_request():
    nova = FakeNova(refusals={"vnc": NOT_OFFERED, "spice": NOT_OFFERED})
    with pytest.raises(CloudBadRequest):
        compute_api(nova).get_remote_console("s-1")


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (sdk_exc.NotFoundException("No server", http_status=404), CloudNotFound),
        (sdk_exc.ConflictException("Instance not ready", http_status=409), CloudConflict),
        (sdk_exc.HttpException("Bad gateway", http_status=502), CloudUnavailable),
        (requests.Timeout("read timed out"), CloudUnavailable),
        (requests.ConnectionError("refused"), CloudUnavailable),
    ],
)
def test_other_failures_are_translated_and_not_retried(failure, error):
    nova = FakeNova(refusals={"vnc": failure}, failure=failure)
    with pytest.raises(error):
        compute_api(nova).get_remote_console("s-1")
    assert nova.asked == ["vnc"]
    with pytest.raises(error):
        compute_api(nova).get_console_output("s-1", 10)


def test_the_console_log_is_its_last_lines():
    assert compute_api(FakeNova()).get_console_output("s-1", 2) == "second\nlast"
