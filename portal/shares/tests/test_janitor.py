"""What the stuck-task janitor gives back when it fails a share's Task: the quota of a
create and of an extend, and the share's lock."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from portal.core.services import fail_stuck_tasks
from portal.shares.locking import ACCESS_KIND, CREATE_KIND, RESIZE_KIND, new_share_task
from portal.shares.models import Share
from portal.shares.tests.factories import ShareFactory
from portal.tenants import quotas

pytestmark = pytest.mark.django_db

LATER = timedelta(days=2)


def stuck(share, kind, **amounts):
    with transaction.atomic():
        task = new_share_task(share, kind, "tenant:test")
        if amounts:
            quotas.reserve(share.tenant, task=task, holder=share, **amounts)
    return task


def test_an_abandoned_create_fails_the_share_and_gives_the_quota_back(tenant, cloud):
    share = ShareFactory(tenant=tenant, cloud=cloud, status=Share.Status.CREATING, locked=True)
    stuck(share, CREATE_KIND, shares=1, share_gigabytes=10)
    assert quotas.usage_of(tenant)["share_gigabytes"] == 10
    assert fail_stuck_tasks(now=timezone.now() + LATER) == 1
    share.refresh_from_db()
    assert share.status == Share.Status.FAILED
    assert not share.locked
    assert quotas.usage_of(tenant)["shares"] == 0
    assert quotas.usage_of(tenant)["share_gigabytes"] == 0


def test_an_abandoned_extend_gives_its_gigabytes_back(tenant, cloud):
    share = ShareFactory(tenant=tenant, cloud=cloud, status=Share.Status.RESIZING, locked=True)
    stuck(share, RESIZE_KIND, share_gigabytes=5)
    fail_stuck_tasks(now=timezone.now() + LATER)
    share.refresh_from_db()
    assert share.status == Share.Status.READY
    assert not share.locked
    assert quotas.usage_of(tenant)["share_gigabytes"] == 0


def test_an_abandoned_access_change_unlocks_the_share(tenant, cloud):
    share = ShareFactory(tenant=tenant, cloud=cloud, locked=True)
    stuck(share, ACCESS_KIND)
    fail_stuck_tasks(now=timezone.now() + LATER)
    share.refresh_from_db()
    assert not share.locked
