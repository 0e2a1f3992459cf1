"""Beat's check of the clouds, /readyz reading it, and the timing of every driver call."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY

from portal.clouds import health
from portal.clouds.drivers import get_driver
from portal.clouds.errors import CloudUnavailable
from portal.clouds.models import Cloud
from portal.clouds.simulator.faults import inject_fault
from portal.clouds.tests.factories import CloudFactory

pytestmark = pytest.mark.django_db


def readiness(client):
    response = client.get("/readyz")
    return response.status_code, response.json()["checks"]


def test_a_cloud_is_ready_once_its_check_passed(client, cloud):
    assert readiness(client) == (503, {"database": "ok", "broker": "ok", "cloud:sim": "failing"})

    health.check_enabled_clouds()

    cloud.refresh_from_db()
    assert cloud.check_ok is True
    assert cloud.checked_at is not None
    assert readiness(client) == (200, {"database": "ok", "broker": "ok", "cloud:sim": "ok"})


def test_a_cloud_that_does_not_answer_makes_the_portal_unready(client, cloud):
    health.check_enabled_clouds()
    inject_fault(cloud, "compute.list_availability_zones", mode="unavailable")

    assert health.check_enabled_clouds() == {"sim": False}

    cloud.refresh_from_db()
    assert cloud.check_ok is False
    assert cloud.check_message
    assert readiness(client) == (503, {"database": "ok", "broker": "ok", "cloud:sim": "failing"})


def test_a_stale_check_is_failing(client, cloud, settings):
    health.check_enabled_clouds()
    Cloud.objects.filter(pk=cloud.pk).update(
        checked_at=timezone.now() - timedelta(seconds=settings.CLOUD_CHECK_MAX_AGE_SECONDS + 1)
    )

    assert readiness(client)[1]["cloud:sim"] == "failing"


def test_disabled_clouds_are_neither_checked_nor_required(client, cloud):
    CloudFactory(name="off", region="region-off", enabled=False)

    assert health.check_enabled_clouds() == {"sim": True}
    assert readiness(client) == (200, {"database": "ok", "broker": "ok", "cloud:sim": "ok"})


def test_the_beat_job_checks_the_clouds(cloud):
    from portal.clouds.tasks import check_clouds

    check_clouds.apply()

    cloud.refresh_from_db()
    assert cloud.check_ok is True


def call_count(operation, outcome):
    labels = {"cloud_kind": "simulator", "operation": operation, "outcome": outcome}
    return REGISTRY.get_sample_value("portal_cloud_call_duration_seconds_count", labels) or 0


def test_every_driver_call_is_timed_by_operation_and_outcome(cloud):
    driver = get_driver(cloud)
    ok_before = call_count("compute.list_flavors", "ok")
    error_before = call_count("compute.list_flavors", "error")
    inject_fault(cloud, "compute.list_flavors", mode="unavailable")

    with pytest.raises(CloudUnavailable):
        driver.compute.list_flavors()
    driver.compute.list_flavors()

    assert call_count("compute.list_flavors", "ok") == ok_before + 1
    assert call_count("compute.list_flavors", "error") == error_before + 1


def test_a_paged_listing_is_timed_while_it_is_read(cloud):
    driver = get_driver(cloud)
    before = call_count("images.iter_images", "ok")

    pages = driver.images.iter_images()
    assert call_count("images.iter_images", "ok") == before
    list(pages)

    assert call_count("images.iter_images", "ok") == before + 1
