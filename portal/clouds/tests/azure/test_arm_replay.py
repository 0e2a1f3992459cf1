"""The replay of recorded ARM exchanges (arm.py) with the real SDK: sign-in, a
long-running operation polled to its end, a 429 retried, and a request that strays from
the recording failing the test."""

import pytest
from azure.core.exceptions import ServiceRequestError

from portal.clouds.azure.session import AzureSession
from portal.clouds.tests.azure.arm import ArmReplay, cloud_variables, fill
from portal.clouds.tests.azure.vms import vm_variables

pytestmark = pytest.mark.django_db

START = {**vm_variables(vm="web-1"), "action": "start"}


def test_placeholders_take_strings_and_whole_values():
    filled = fill(
        {"url": "/vm/{{vm}}/x", "tags": "{{tags}}", "{{key}}": 1},
        {"vm": "a", "tags": {"b": "c"}, "key": "k"},
    )

    assert filled == {"url": "/vm/a/x", "tags": {"b": "c"}, "k": 1}


def test_an_unfilled_placeholder_is_an_error():
    with pytest.raises(KeyError):
        fill("{{nothing}}", {})


def test_a_long_running_operation_is_polled_until_it_succeeds(azure_cloud, arm):
    arm.sign_in().play("vm_action", **START)

    AzureSession(azure_cloud).compute.virtual_machines.begin_start("portal-rg", "web-1").result()

    assert [call.response.status_code for call in arm.calls] == [200, 200, 202, 200, 200, 200]
    assert arm.calls[2].request.headers["Authorization"] == "Bearer " + arm.variables["token"]


def test_a_429_is_retried_after_the_time_azure_asks(azure_cloud, arm):
    arm.sign_in().play("vm_action", throttle=0, **START)

    AzureSession(azure_cloud).compute.virtual_machines.begin_start("portal-rg", "web-1").result()

    statuses = [call.response.status_code for call in arm.calls]
    assert statuses == [200, 200, 429, 202, 200, 200, 200]
    assert arm.calls[2].response.headers["Retry-After"] == "1"


def test_a_request_the_recording_does_not_hold_fails_the_test(azure_cloud):
    replay = ArmReplay(cloud_variables(azure_cloud)).__enter__()
    replay.sign_in().play("vm_action", **START)
    session = AzureSession(azure_cloud)

    with pytest.raises(ServiceRequestError):  # the SDK got no answer to its request
        session.compute.virtual_machines.begin_power_off("portal-rg", "web-1").result()
    with pytest.raises(AssertionError, match="not in the recorded exchanges"):
        replay.__exit__(None, None, None)
