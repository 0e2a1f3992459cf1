"""What the stuck-task janitor frees when a security group's job is lost."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.core.services import fail_stuck_tasks
from portal.network.security_groups import services
from portal.network.tests.factories import SecurityGroupFactory
from portal.network.tests.security_group_helpers import PING, SSH, WEB
from portal.network.tests.test_security_group_quota import used
from portal.servers.tests.factories import make_identity

# No run_commit_hooks: the test's transaction never commits, so no job is ever queued.
pytestmark = pytest.mark.django_db


def test_the_janitor_frees_what_a_lost_job_held(tenant, cloud):
    """Past their deadlines the janitor fails the Tasks: the created group is failed,
    the updated one ready again, and the quota they reserved is given back."""
    make_identity(tenant, cloud)
    lost, _task = services.create_group(
        tenant, cloud, name="lost", rule_sets=[SSH, WEB], actor="staff:op"
    )
    ready = SecurityGroupFactory(tenant=tenant, cloud=cloud, name="ready")
    services.update_group(ready, rule_sets=[SSH, WEB, PING], actor="staff:op")
    assert used(tenant) == (1, 5)

    assert fail_stuck_tasks(now=timezone.now() + timedelta(days=1)) == 2

    lost.refresh_from_db()
    ready.refresh_from_db()
    assert (lost.status, ready.status) == ("failed", "ready")
    assert used(tenant) == (0, 0)
