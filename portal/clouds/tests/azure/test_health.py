"""Beat's check of an Azure cloud (health.py, AzureDriver.check): Azure's zones come from
the cloud's options, so the check reads the cloud's resource group, one real ARM call that
fails when Azure does not answer or refuses the service principal."""

import pytest
import requests

from portal.clouds import health
from portal.clouds.azure.driver import AzureDriver

pytestmark = pytest.mark.django_db

GROUP = "portal-rg"  # the factory's cloud resource group


def checked(cloud):
    cloud.refresh_from_db()
    return cloud.check_ok, cloud.check_message


def test_an_azure_cloud_that_answers_passes_its_check(azure_cloud, arm):
    arm.sign_in().play("resource_group_get", group=GROUP, tags=None)

    assert health.check_cloud(azure_cloud) is True

    assert checked(azure_cloud) == (True, "")
    assert arm.calls[-1].request.url.split("?")[0].endswith(f"/resourcegroups/{GROUP}")


def test_a_service_principal_arm_refuses_fails_the_check(azure_cloud, arm):
    arm.sign_in().play("resource_group_get_unauthenticated", group=GROUP)

    assert health.check_cloud(azure_cloud) is False

    assert checked(azure_cloud) == (False, "The cloud refused the credentials.")


def test_a_resource_group_that_is_gone_fails_the_check(azure_cloud, arm):
    arm.sign_in().play("resource_group_get_gone", group=GROUP)

    assert health.check_cloud(azure_cloud) is False

    assert checked(azure_cloud) == (False, "The object does not exist in the cloud.")


def test_an_azure_that_does_not_answer_fails_the_check(azure_cloud, arm):
    # A connection refused cannot be caused on management.azure.com from here: it is
    # the one fault played by the replay rather than recorded.
    azure_cloud.options |= {"azure_retry_total": 0}
    azure_cloud.save()
    arm.sign_in()
    group_url = (
        f"https://management.azure.com/subscriptions/{azure_cloud.azure_subscription_id}"
        f"/resourcegroups/{GROUP}"
    )
    arm.mock.add("GET", group_url, body=requests.ConnectionError("connection refused"))

    assert health.check_cloud(azure_cloud) is False

    assert checked(azure_cloud) == (False, "The cloud is unavailable; try again later.")


def test_the_zones_an_openstack_check_asks_for_ask_azure_nothing(azure_cloud, arm):
    azure_cloud.options |= {"availability_zones": ["1", "2"]}

    zones = AzureDriver(azure_cloud).compute.list_availability_zones()

    assert ([zone.name for zone in zones], len(arm.calls)) == (["1", "2"], 0)
