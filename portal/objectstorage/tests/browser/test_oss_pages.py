"""An S3 user's life in the admin, in Chromium: its first bucket made from "Create
bucket…", its page showing the Task queued and then succeeded without a reload; after a
pull, its usage against its quota as bars and its buckets as a table, in English and in
Chinese."""

import pytest
from playwright.sync_api import expect

from portal.clouds.simulator.testing import record_usage
from portal.clouds.sync import request_sync
from portal.objectstorage.models import GB, OssUser
from portal.objectstorage.tests.factories import ObjectStoreFactory

pytestmark = pytest.mark.browser

USERS = "/admin/objectstorage/ossuser/"


def test_create_a_bucket_then_see_usage_and_buckets(
    admin_page, live_server, cloud, tenant, job_queue, screenshot
):
    store = ObjectStoreFactory(cloud=cloud, name="ceph-one")
    page = admin_page
    page.goto(f"{live_server.url}{USERS}")
    page.get_by_role("link", name="Create bucket…").click()
    page.get_by_label("tenant").select_option(label=str(tenant))
    page.get_by_label("platform user id").fill("alice")
    page.get_by_label("region's object store").select_option(label=str(store))
    page.get_by_label("bucket name").fill("photos")
    page.get_by_label("user quota (GB)").fill("50")
    page.get_by_label("user quota (objects)").fill("1000")
    page.get_by_role("button", name="Create").click()

    expect(page.locator(".messagelist")).to_contain_text("Creating bucket photos")
    progress = page.locator(".field-progress .task-progress")
    expect(progress).to_have_attribute("data-state", "queued")
    with page.expect_navigation(timeout=20_000):  # the page refreshes itself at the end
        job_queue.run_all()
    expect(progress).to_have_attribute("data-state", "succeeded")
    assert OssUser.objects.get(uid="alice").status == OssUser.Status.READY

    # a second bucket, then what RGW reports of their use
    page.goto(f"{live_server.url}{USERS}create/")
    page.get_by_label("tenant").select_option(label=str(tenant))
    page.get_by_label("platform user id").fill("alice")
    page.get_by_label("region's object store").select_option(label=str(store))
    page.get_by_label("bucket name").fill("backups")
    page.get_by_label("policy").fill("public-read")
    page.get_by_role("button", name="Create").click()
    expect(page.locator(".messagelist")).to_contain_text("Creating bucket backups")
    record_usage(store, "photos", used_bytes=18 * GB, used_objects=700)
    request_sync("objectstorage.sync", cloud=cloud, actor="staff:admin")
    with page.expect_navigation(timeout=20_000):
        job_queue.run_all()
    record_usage(store, "backups", used_bytes=4 * GB, used_objects=120)
    request_sync("objectstorage.sync", cloud=cloud, actor="staff:admin")
    job_queue.run_all()

    oss_user = OssUser.objects.get(uid="alice")
    page.goto(f"{live_server.url}{USERS}{oss_user.pk}/change/")
    expect(page.locator(".field-size_usage")).to_contain_text("22.0 of 50 GB (44%)")
    expect(page.locator(".field-objects_usage")).to_contain_text("820 of 1000 (82%)")
    pages = {
        "s3-users": USERS,
        "s3-user": f"{USERS}{oss_user.pk}/change/",
        "s3-user-quota": f"{USERS}{oss_user.pk}/quota/",
        "buckets": "/admin/objectstorage/bucket/",
    }
    for language, label in (("en", "English"), ("zh-hans", "简体中文")):
        page.goto(f"{live_server.url}/admin/")
        page.locator("#language-select").select_option(label=label)
        expect(page.locator("html")).to_have_attribute("lang", language)
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            expect(page.locator("#content")).to_contain_text("alice")
            screenshot(page, f"{name}-{language}")
        page.goto(f"{live_server.url}{pages['s3-user']}")
        expect(page.locator(".field-size_usage .usage-bar")).to_contain_text("22.0")
        table = page.locator(".oss-buckets")
        expect(table.get_by_role("row")).to_have_count(3)
        expect(table).to_contain_text("public-read")
