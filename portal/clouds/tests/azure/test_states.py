"""Unit tests of the Azure driver's mappings without calls: VM states in Nova's words,
Azure's password rules, names, image references."""

import pytest

from portal.clouds.azure.provisioning import (
    check_admin_password,
    computer_name,
    image_reference,
    vm_name,
)
from portal.clouds.azure.states import server_state
from portal.clouds.base import ServerSpec
from portal.clouds.errors import CloudBadRequest


@pytest.mark.parametrize(
    ("provisioning", "power", "expected"),
    [
        ("Succeeded", "running", ("ACTIVE", "running", None)),
        ("Succeeded", "stopped", ("SHUTOFF", "shutdown", None)),
        ("Succeeded", "deallocated", ("SHUTOFF", "shutdown", None)),
        ("Succeeded", "starting", ("SHUTOFF", "shutdown", "powering-on")),
        ("Succeeded", "stopping", ("ACTIVE", "running", "powering-off")),
        ("Succeeded", "deallocating", ("ACTIVE", "running", "powering-off")),
        ("Updating", "running", ("ACTIVE", "running", None)),
        ("Creating", "starting", ("BUILD", "nostate", "spawning")),
        ("Creating", None, ("BUILD", "nostate", "spawning")),
        ("Failed", "running", ("ERROR", "running", None)),
        ("Failed", None, ("ERROR", "nostate", None)),
        ("Deleting", "deallocated", ("DELETED", "shutdown", "deleting")),
        ("Succeeded", "unknown", ("UNKNOWN", "nostate", None)),
        ("Succeeded", None, ("UNKNOWN", "nostate", None)),
    ],
)
def test_a_vm_s_state_reads_as_nova_s(provisioning, power, expected):
    codes = [f"ProvisioningState/{provisioning.lower()}"]
    if power:
        codes.append(f"PowerState/{power}")

    state = server_state(provisioning, codes)

    assert (state.status, state.power_state, state.task_state) == expected


def test_a_failed_vm_carries_azure_s_reason():
    state = server_state("Failed", ["ProvisioningState/failed/AllocationFailed"], "No capacity.")

    assert (state.status, state.fault) == ("ERROR", "No capacity.")


@pytest.mark.parametrize(
    "password", ["Correct-Horse-9", "alllowercase1!", "ALLUPPER123abc", "Twelve_chars"]
)
def test_a_password_with_three_kinds_of_characters_is_accepted(password):
    check_admin_password(password)


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Sh0rt!", "12 to 123 characters"),
        ("A1!" * 42, "12 to 123 characters"),
        ("onlylowercaseletters", "three of these"),
        ("lowercase123456", "three of these"),
        ("P@ssw0rd", "12 to 123 characters"),
    ],
)
def test_a_password_azure_would_refuse_is_refused_naming_the_rule(password, rule):
    with pytest.raises(CloudBadRequest, match=rule):
        check_admin_password(password)


def spec(name, metadata=None):
    return ServerSpec(
        name=name,
        flavor_id="m1.small",
        image_id="i",
        boot_volume_size=10,
        network_ids=["n"],
        metadata=metadata or {},
    )


def test_vm_names_are_unique_and_stable_for_one_portal_server():
    first = vm_name(spec("Web Server #1", {"portal_instance_id": "a"}))

    assert first.startswith("web-server-1-")
    assert len(first) <= 64
    assert vm_name(spec("Web Server #1", {"portal_instance_id": "a"})) == first
    assert vm_name(spec("Web Server #1", {"portal_instance_id": "b"})) != first
    assert vm_name(spec("web")) != vm_name(spec("web"))  # no metadata: random


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Web Server #1", "web-server-1"), ("a" * 40, "a" * 15), ("123", "vm123"), ("!!", "server")],
)
def test_the_computer_name_is_a_short_host_name(name, expected):
    assert computer_name(spec(name)) == expected


def test_an_image_mapping_is_an_image_id_or_a_marketplace_image():
    by_id = image_reference(
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/x"
    )
    marketplace = image_reference("Canonical:ubuntu-24_04-lts:server:latest")

    assert by_id.id.endswith("/images/x")
    assert (marketplace.publisher, marketplace.offer, marketplace.sku, marketplace.version) == (
        "Canonical",
        "ubuntu-24_04-lts",
        "server",
        "latest",
    )
    with pytest.raises(CloudBadRequest, match="publisher:offer:sku:version"):
        image_reference("Canonical:ubuntu")
