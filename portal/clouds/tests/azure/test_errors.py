"""How Azure's error codes become the portal's CloudErrors (errors.py), among them the
codes a polled operation ends with: capacity Azure has not got, a guest that did not come
up."""

import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
)

from portal.clouds.azure.errors import to_cloud_error
from portal.clouds.azure.messages import AzureMessages
from portal.clouds.errors import (
    CloudAuthFailed,
    CloudBadRequest,
    CloudError,
    CloudNotFound,
    CloudQuotaExceeded,
    CloudUnavailable,
)
from portal.clouds.tests.azure.test_servers import tenant
from portal.clouds.tests.azure.vms import vm_variables


class Answer:
    """What azure-core keeps of an HTTP answer for an error: its status and reason."""

    def __init__(self, status_code):
        self.status_code, self.reason = status_code, "recorded"
        self.headers, self.request = {}, None

    def text(self):
        return ""


def azure_error(code, status=400):
    exc = HttpResponseError(message=f"{code}: what Azure said", response=Answer(status))
    exc.error = type("ODataV4Format", (), {"code": code})()
    return exc


@pytest.mark.parametrize(
    ("code", "expected", "message"),
    [
        ("AllocationFailed", CloudUnavailable, AzureMessages.NO_CAPACITY),
        ("ZonalAllocationFailed", CloudUnavailable, AzureMessages.NO_CAPACITY),
        ("AllocationFailedVmSizeNotAvailable", CloudUnavailable, AzureMessages.NO_CAPACITY),
        ("OverconstrainedAllocationRequest", CloudUnavailable, AzureMessages.OVERCONSTRAINED),
        ("OverconstrainedZonalAllocationRequest", CloudUnavailable, AzureMessages.OVERCONSTRAINED),
        ("OSProvisioningTimedOut", CloudError, AzureMessages.OS_PROVISIONING_TIMED_OUT),
        ("OSProvisioningClientError", CloudBadRequest, AzureMessages.OS_PROVISIONING_REFUSED),
        ("VMStartTimedOut", CloudUnavailable, AzureMessages.VM_START_TIMED_OUT),
    ],
)
def test_an_operation_azure_ends_failed_says_why_in_the_portal_s_words(code, expected, message):
    error = to_cloud_error(azure_error(code, status=200))  # a polled operation's: 200

    assert type(error) is expected
    assert (error.task_message.code, error.message) == (message.code, str(message))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("InternalOperationError", CloudUnavailable),
        ("RetryableError", CloudUnavailable),
        ("OSProvisioningInternalError", CloudUnavailable),
        ("QuotaExceeded", CloudQuotaExceeded),
        ("ResourceGroupNotFound", CloudNotFound),
        ("AuthenticationFailed", CloudAuthFailed),
    ],
)
def test_the_code_decides_whatever_the_status(code, expected):
    assert type(to_cloud_error(azure_error(code, status=500))) is expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, CloudAuthFailed), (404, CloudNotFound), (422, CloudBadRequest), (503, CloudUnavailable)],
)
def test_an_unknown_code_falls_back_on_the_status(status, expected):
    assert type(to_cloud_error(azure_error("SomethingNew", status=status))) is expected


def test_a_refused_sign_in_and_an_unreachable_service():
    assert type(to_cloud_error(ClientAuthenticationError("AADSTS7000215"))) is CloudAuthFailed
    assert type(to_cloud_error(ServiceRequestError("connection refused"))) is CloudUnavailable


def test_a_start_azure_cannot_allocate_is_unavailable_saying_so(azure_mappings, arm):
    arm.sign_in().play(
        "vm_action_failed",
        **vm_variables("tenant-alpha"),
        action="start",
        error_code="AllocationFailed",
        error_message="Allocation failed. We do not have sufficient capacity for the "
        "requested VM size in this region.",
    )

    with pytest.raises(CloudUnavailable) as raised:
        tenant(azure_mappings).compute.start_server("web-1-0a1b2c3d")

    assert raised.value.task_message.code == AzureMessages.NO_CAPACITY.code
