"""The Task list: what people and the portal's operations did; beat's routine pulls only
when asked for (the dashboard's links ask, since its figures count them)."""

import pytest

from portal.console import dashboard
from portal.core.principals import BEAT_ACTOR
from portal.core.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/core/task/"


@pytest.fixture
def tasks():
    return {
        "stop": TaskFactory(kind="server.operate", requested_by="staff:alice"),
        "beat": TaskFactory(kind="images.sync", requested_by=BEAT_ACTOR),
        "now": TaskFactory(kind="images.sync", requested_by="staff:alice"),
    }


def listed(admin_client, **params):
    return set(admin_client.get(LIST, params).context["cl"].result_list)


def test_scheduled_syncs_are_hidden_unless_asked_for(admin_client, tasks):
    assert listed(admin_client) == {tasks["stop"], tasks["now"]}
    assert listed(admin_client, scheduled="shown") == set(tasks.values())
    assert listed(admin_client, scheduled="only") == {tasks["beat"]}


def test_the_dashboard_links_to_lists_that_show_what_it_counts(admin_client, tasks):
    summary = dashboard.task_summary(since=tasks["stop"].created.replace(year=2000))
    assert summary["total"] == 3
    linked = admin_client.get(summary["all_url"]).context["cl"].result_list
    assert len(linked) == 3
