"""The admin index: the dashboard's figures, its fixed query count, the area navigation."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone

from portal.console import dashboard
from portal.core.models import Task
from portal.core.tests.factories import TaskFactory
from portal.images.tests.factories import ImageFactory
from portal.isos.tests.factories import IsoFactory
from portal.servers.tests.factories import ServerFactory
from portal.tenants.models import QuotaReservation, TenantQuota
from portal.tenants.tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


def populate(cloud, tenants=1):
    """Rows of every kind the dashboard counts."""
    for number in range(tenants):
        tenant = TenantFactory()
        TenantQuota.objects.update_or_create(tenant=tenant, defaults={"cores": 8, "ram": 8192})
        server = ServerFactory(cloud=cloud, tenant=tenant)
        QuotaReservation.objects.create(
            tenant=tenant, holder=server, state=QuotaReservation.State.COMMITTED,
            instances=1, cores=2, ram=2048,
        )  # fmt: skip
        ImageFactory(cloud=cloud, enabled=number % 2 == 0)
        IsoFactory(ftp_server__cloud=cloud)
        TaskFactory(state=Task.State.FAILED, message=f"failure {number}", tenant=tenant)
        TaskFactory(state=Task.State.RUNNING)
        TaskFactory(state=Task.State.SUCCEEDED)


def test_the_summary_counts_per_cloud_and_tenant_with_quota_usage(cloud):
    populate(cloud, tenants=2)
    board = dashboard.summary()

    [cloud_row] = board["clouds"]
    assert (cloud_row["servers"], cloud_row["images"], cloud_row["images_enabled"]) == (2, 2, 1)
    assert cloud_row["isos"] == 2
    tenant_row = board["tenants"][0]
    assert tenant_row["servers"] == 1
    cores, ram, instances, _volumes = tenant_row["quotas"]
    assert (cores["used"], cores["limit"], cores["percent"]) == (2, 8, 25)
    assert (ram["used"], ram["limit"], ram["percent"]) == (2048, 8192, 25)
    assert instances["used"] == 1
    assert board["image_enabled"] == {"enabled": 1, "disabled": 1}
    states = {bar["state"]: bar["count"] for bar in board["tasks"]["states"]}
    assert states == {"queued": 0, "running": 2, "succeeded": 2, "failed": 2}
    assert {task.state for task in board["tasks"]["problems"]} == {"running", "failed"}


def test_tasks_older_than_a_day_are_left_out(cloud):
    TaskFactory(state=Task.State.FAILED)
    later = timezone.now() + timedelta(hours=25)
    assert dashboard.summary(now=later)["tasks"]["total"] == 0


def test_an_unlimited_quota_has_no_bar(cloud):
    tenant = TenantFactory()
    TenantQuota.objects.update_or_create(tenant=tenant, defaults={"cores": -1})
    [row] = dashboard.summary()["tenants"]
    assert row["quotas"][0]["limit"] is None
    assert row["quotas"][0]["percent"] is None


def test_the_index_shows_the_dashboard_in_constant_queries(
    client, staff_user, cloud, django_assert_max_num_queries
):
    client.force_login(staff_user)
    populate(cloud, tenants=1)
    with django_assert_max_num_queries(30) as few:
        client.get("/admin/")
    populate(cloud, tenants=5)
    with django_assert_max_num_queries(len(few)):
        page = client.get("/admin/").content.decode()
    assert "Tasks of the last 24 hours" in page
    assert "failure 3" in page
    assert 'class="state-chart-bar"' in page


def test_the_task_links_open_the_filtered_task_list(client, staff_user, cloud):
    client.force_login(staff_user)
    TaskFactory(state=Task.State.FAILED, kind="kind.failed")
    TaskFactory(state=Task.State.SUCCEEDED, kind="kind.succeeded")
    states = dashboard.summary()["tasks"]["states"]
    failed = next(bar for bar in states if bar["state"] == "failed")
    page = client.get(failed["url"])
    assert page.status_code == 200
    assert [task.kind for task in page.context["cl"].result_list] == ["kind.failed"]


def test_the_navigation_follows_the_areas(staff_user):
    request = RequestFactory().get("/admin/")
    request.user = staff_user
    labels = [app["app_label"] for app in admin.site.get_app_list(request)]
    areas = [label for label in labels if label in dashboard_areas()]
    assert areas == dashboard_areas()
    assert labels[: len(areas)] == areas  # users and periodic tasks come after


def dashboard_areas():
    return [
        "clouds", "tenants", "images", "isos", "servers", "network", "shares", "objectstorage",
        "webhooks", "core",
    ]  # fmt: skip
