"""The Azure driver's server actions against recorded ARM exchanges (start, stop in both
stop modes, restart, resize, tags, SSH keys), and what it refuses without a call."""

import pytest

from portal.clouds.azure.driver import AzureDriver
from portal.clouds.base import TenantCredentials
from portal.clouds.capabilities import UNSUPPORTED
from portal.clouds.errors import CloudBadRequest
from portal.clouds.models import AzureStopMode, Cloud
from portal.clouds.tests.azure.vms import PUBLIC_KEY, vm_variables

pytestmark = pytest.mark.django_db

VM = "web-1-0a1b2c3d"
IN_ALPHA = vm_variables("tenant-alpha", vm=VM)


def alpha(cloud):
    group_id = f"/subscriptions/{cloud.azure_subscription_id}/resourceGroups/tenant-alpha"
    return AzureDriver(cloud, TenantCredentials("", "", group_id, "")).compute


@pytest.mark.parametrize(
    ("act", "action"),
    [
        (lambda compute: compute.start_server(VM), "start"),
        (lambda compute: compute.reboot_server(VM), "restart"),
        (lambda compute: compute.reboot_server(VM, hard=True), "restart"),  # one restart
    ],
)
def test_power_actions_are_azure_s_and_polled_to_their_end(azure_mappings, arm, act, action):
    arm.sign_in().play("vm_action", action=action, **IN_ALPHA)

    act(alpha(azure_mappings))

    assert arm.calls[2].request.url.split("?")[0].endswith(f"/{VM}/{action}")


@pytest.mark.parametrize(
    ("mode", "action"),
    [(AzureStopMode.DEALLOCATE, "deallocate"), (AzureStopMode.POWER_OFF, "powerOff")],
)
def test_stop_deallocates_or_powers_off_as_the_cloud_says(azure_mappings, arm, mode, action):
    azure_mappings.azure_stop_mode = mode
    azure_mappings.save()
    arm.sign_in().play("vm_action", action=action, **IN_ALPHA)

    alpha(azure_mappings).stop_server(VM)

    assert arm.calls[2].request.url.split("?")[0].endswith(f"/{VM}/{action}")


def test_resize_updates_the_vm_size_in_one_step(azure_mappings, arm):
    update = {"properties": {"hardwareProfile": {"vmSize": "Standard_D4s_v5"}}}
    arm.sign_in().play("vm_update", update=update, **{**IN_ALPHA, "vm_size": "Standard_D4s_v5"})

    alpha(azure_mappings).resize_server(VM, "m1.large")

    assert arm.calls[2].request.method == "PATCH"


def test_metadata_are_merged_into_the_vm_s_tags(azure_mappings, arm):
    tags = {"portal-server": "web-1", "portal_instance_id": "3f1c", "role": "frontend"}
    arm.sign_in().play("vm_get", **IN_ALPHA).play(
        "vm_update", update={"tags": tags}, **{**IN_ALPHA, "tags": tags}
    )

    metadata = alpha(azure_mappings).set_server_metadata(VM, {"role": "frontend"})

    assert metadata == {"portal_instance_id": "3f1c", "role": "frontend"}


def test_a_key_pair_is_an_ssh_public_key_resource_of_the_scope(azure_mappings, arm):
    arm.sign_in().play("ssh_key_create", **IN_ALPHA).play("ssh_key_delete", **IN_ALPHA)
    compute = alpha(azure_mappings)

    compute.import_keypair("alice", PUBLIC_KEY)
    compute.delete_keypair("alice")

    assert [call.request.method for call in arm.calls[2:]] == ["PUT", "DELETE"]


@pytest.mark.parametrize(
    ("act", "operation"),
    [
        (lambda compute: compute.suspend_server(VM), "suspend"),
        (lambda compute: compute.resume_server(VM), "resume"),
        (lambda compute: compute.pause_server(VM), "pause"),
        (lambda compute: compute.unpause_server(VM), "unpause"),
        (lambda compute: compute.lock_server(VM), "lock"),
        (lambda compute: compute.unlock_server(VM), "unlock"),
        (lambda compute: compute.confirm_resize(VM), "confirm"),
        (lambda compute: compute.revert_resize(VM), "revert"),
        (lambda compute: compute.get_remote_console(VM), "console"),
        (lambda compute: compute.get_console_output(VM, 50), "console_log"),
    ],
)
def test_what_azure_cannot_do_is_refused_with_the_capabilities_sentence(
    azure_mappings, arm, act, operation
):
    with pytest.raises(CloudBadRequest) as refused:
        act(alpha(azure_mappings))

    assert str(refused.value) == str(UNSUPPORTED[Cloud.Kind.AZURE][operation])
    assert len(arm.calls) == 0


@pytest.mark.parametrize(
    "act",
    [
        lambda compute: compute.add_security_group(VM, "web"),
        lambda compute: compute.remove_security_group(VM, "web"),
        lambda compute: compute.create_flavor("m2", 2, 4096, 0),
        lambda compute: compute.delete_flavor("m1.small"),
        lambda compute: compute.add_flavor_access("m1.small", "p"),
        lambda compute: compute.remove_flavor_access("m1.small", "p"),
    ],
)
def test_security_group_and_flavor_changes_are_refused(azure_mappings, arm, act):
    with pytest.raises(CloudBadRequest):
        act(alpha(azure_mappings))

    assert len(arm.calls) == 0


def test_zones_are_the_mapped_ones_and_there_are_no_hosts(azure_mappings, arm):
    azure_mappings.options = {**azure_mappings.options, "availability_zones": ["1", "2"]}
    azure_mappings.save()
    compute = AzureDriver(azure_mappings).compute

    assert [zone.name for zone in compute.list_availability_zones()] == ["1", "2"]
    assert compute.list_compute_hosts() == []
    assert compute.list_flavor_access("m1.small") == []
    assert len(arm.calls) == 0
