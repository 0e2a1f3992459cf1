"""Injected faults: each mode raises its error, counted faults run out, clearing works."""

import hashlib
import io
import time

import pytest

from portal.clouds import errors
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import clear_faults, inject_fault
from portal.clouds.simulator.models import SimulatedFault
from portal.clouds.simulator.testing import boot_spec
from portal.clouds.tests.factories import CloudFactory


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("fail", errors.CloudError),
        ("unavailable", errors.CloudUnavailable),
        ("quota", errors.CloudQuotaExceeded),
        ("conflict", errors.CloudConflict),
        ("not_found", errors.CloudNotFound),
        ("bad_request", errors.CloudBadRequest),
        ("auth_failed", errors.CloudAuthFailed),
        ("forbidden", errors.CloudForbidden),
    ],
)
def test_each_mode_raises_its_error_once(cloud, admin, mode, error):
    inject_fault(cloud, "compute.list_flavors", mode=mode)

    with pytest.raises(error):
        admin.compute.list_flavors()
    assert admin.compute.list_flavors() == []
    assert not SimulatedFault.objects.exists()


def test_timeout_waits_then_is_unavailable(cloud, admin):
    cloud.options = {**cloud.options, "timeout_seconds": 0.2}
    inject_fault(cloud, "images.get_image", mode="timeout")

    started = time.monotonic()
    with pytest.raises(errors.CloudUnavailable) as failed:
        admin.images.get_image("any")
    assert time.monotonic() - started >= 0.2
    assert "0.2" in failed.value.message


def test_fault_hits_only_its_operation_and_cloud(cloud, admin):
    other_cloud = CloudFactory()
    inject_fault(cloud, "identity.create_user", mode="unavailable", times=None)

    domain = admin.identity.create_domain("d")
    assert SimulatorDriver(other_cloud).identity.create_domain("d")
    with pytest.raises(errors.CloudUnavailable):
        admin.identity.create_user("u", "pw", domain, "p")


def test_counted_fault_runs_out(cloud, admin):
    inject_fault(cloud, "network.list_networks", mode="unavailable", times=2)

    for _ in range(2):
        with pytest.raises(errors.CloudUnavailable):
            admin.network.list_networks()
    assert admin.network.list_networks() == []


def test_permanent_fault_lasts_until_cleared(cloud, admin):
    inject_fault(cloud, "volumes.list_volumes", mode="fail", times=None)
    for _ in range(3):
        with pytest.raises(errors.CloudError):
            admin.volumes.list_volumes()

    clear_faults(cloud)

    assert admin.volumes.list_volumes() == []


def test_fault_fires_before_the_operation_does_anything(cloud, admin):
    inject_fault(cloud, "compute.create_server", mode="unavailable")

    with pytest.raises(errors.CloudUnavailable):
        admin.compute.create_server(boot_spec(cloud))
    assert list(admin.compute.iter_servers()) == []
    assert admin.compute.create_server(boot_spec(cloud)).status == "ACTIVE"


def test_generator_operations_fail_when_called(cloud, admin):
    inject_fault(cloud, "images.iter_images", mode="unavailable")

    with pytest.raises(errors.CloudUnavailable):
        admin.images.iter_images()  # not only when iterated


def test_upload_fault(cloud, admin):
    image = admin.images.create_image("img", "raw", "bare")
    inject_fault(cloud, "images.upload_image_data", mode="unavailable")

    with pytest.raises(errors.CloudUnavailable):
        admin.images.upload_image_data(image.id, None, 0)
    assert admin.images.get_image(image.id).status == "queued"


def test_corrupt_upload_succeeds_with_another_checksum(cloud, admin):
    data = b"raw image data"
    inject_fault(cloud, "images.upload_image_data", mode="corrupt")
    for damaged in (True, False):
        image = admin.images.create_image("img", "raw", "bare")
        info = admin.images.upload_image_data(image.id, io.BytesIO(data), len(data))
        assert (info.status, info.size) == ("active", len(data))
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        assert (info.checksum != md5) is damaged
    assert not SimulatedFault.objects.exists()


def test_bad_injections_are_refused(cloud):
    with pytest.raises(ValueError, match="mode"):
        inject_fault(cloud, "compute.list_flavors", mode="explode")
    with pytest.raises(ValueError, match="group"):
        inject_fault(cloud, "list_flavors")
