import pytest
from django.utils import translation

from conftest import tenant_client
from portal.core.models import Task
from portal.core.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

TASK_FIELDS = {
    "task_id", "kind", "state", "progress", "message", "message_code", "error_code", "target_type",
    "target_id", "tenant_id", "created_time", "started_time", "finished_time",
}  # fmt: skip


def test_tenant_lists_only_its_own_tasks(tenant, other_tenant, client_of_tenant):
    mine = TaskFactory.create_batch(3, tenant=tenant)
    TaskFactory.create_batch(2, tenant=other_tenant)
    TaskFactory()  # a system task, no tenant

    response = client_of_tenant.get("/api/v1/tasks")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert {t["task_id"] for t in body["tasks"]} == {str(t.pk) for t in mine}
    assert set(body["tasks"][0]) == TASK_FIELDS
    assert (body["page_number"], body["page_size"]) == (1, 20)


def test_another_tenants_task_is_not_found(other_tenant, client_of_tenant):
    theirs = TaskFactory(tenant=other_tenant)
    response = client_of_tenant.get(f"/api/v1/tasks/{theirs.pk}")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert error["request_id"] == response["X-Request-Id"]


def test_tenant_reads_its_own_task(tenant, client_of_tenant):
    task = TaskFactory(tenant=tenant, progress=30, message="copying")
    body = client_of_tenant.get(f"/api/v1/tasks/{task.pk}").json()
    assert (body["task_id"], body["progress"], body["message"]) == (str(task.pk), 30, "copying")
    assert body["tenant_id"] == tenant.tenant_id


@pytest.mark.parametrize("caller", ["staff_client", "platform_client"])
def test_operators_see_every_task(caller, request, tenant, other_tenant):
    TaskFactory(tenant=tenant)
    TaskFactory(tenant=other_tenant)
    TaskFactory()
    client = request.getfixturevalue(caller)
    assert client.get("/api/v1/tasks").json()["count"] == 3


def test_filters_and_ordering(staff_client):
    TaskFactory(kind="a.b", state=Task.State.FAILED)
    TaskFactory(kind="a.b")
    TaskFactory(kind="c.d", state=Task.State.FAILED)
    body = staff_client.get("/api/v1/tasks?state=failed&kind=a.b").json()
    assert body["count"] == 1
    body = staff_client.get("/api/v1/tasks?ordering=created").json()
    times = [t["created_time"] for t in body["tasks"]]
    assert times == sorted(times)


def test_paging(staff_client):
    TaskFactory.create_batch(5)
    body = staff_client.get("/api/v1/tasks?page_number=2&page_size=2").json()
    assert (body["count"], len(body["tasks"]), body["page_number"], body["page_size"]) == (
        5,
        2,
        2,
        2,
    )
    past_the_end = staff_client.get("/api/v1/tasks?page_number=9&page_size=2").json()
    assert (past_the_end["tasks"], past_the_end["count"]) == ([], 5)
    capped = staff_client.get("/api/v1/tasks?page_size=1000").json()
    assert capped["page_size"] == 100


@pytest.mark.parametrize("query", ["page_number=0", "page_size=-1", "page_number=x"])
def test_bad_paging_is_a_400_with_fields(staff_client, query):
    response = staff_client.get(f"/api/v1/tasks?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]


def test_list_runs_a_constant_number_of_queries(
    staff_client, tenant, django_assert_max_num_queries
):
    TaskFactory.create_batch(5, tenant=tenant)
    with django_assert_max_num_queries(4):
        staff_client.get("/api/v1/tasks")
    TaskFactory.create_batch(40, tenant=tenant)
    with django_assert_max_num_queries(4):
        staff_client.get("/api/v1/tasks?page_size=50")


def test_wait_parameter_is_validated(staff_client):
    task = TaskFactory()
    response = staff_client.get(f"/api/v1/tasks/{task.pk}?wait=61")
    assert response.status_code == 400
    assert "wait" in response.json()["error"]["fields"]


def test_wait_on_a_finished_task_answers_at_once(staff_client):
    task = TaskFactory(state=Task.State.SUCCEEDED, progress=100)
    body = staff_client.get(f"/api/v1/tasks/{task.pk}?wait=30").json()
    assert body["state"] == "succeeded"


def test_tasks_need_authentication(anon_client):
    response = anon_client.get("/api/v1/tasks")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_tasks_are_read_only(client_of_tenant, tenant):
    task = TaskFactory(tenant=tenant)
    response = client_of_tenant.delete(f"/api/v1/tasks/{task.pk}")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_second_key_of_the_same_tenant_sees_the_same_tasks(tenant):
    TaskFactory(tenant=tenant)
    assert tenant_client(tenant, "another-user").get("/api/v1/tasks").json()["count"] == 1


def test_the_message_is_rendered_in_the_language_the_request_asks_for(tenant, client_of_tenant):
    from portal.servers.task_messages import ResizeMessages

    task = TaskFactory(tenant=tenant, message=ResizeMessages.RESIZING(name="m1.small"))
    english = client_of_tenant.get(f"/api/v1/tasks/{task.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client_of_tenant.get(
        f"/api/v1/tasks/{task.pk}", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"
    ).json()
    assert english["message"] == "Resizing to flavor m1.small"
    assert english["message_code"] == chinese["message_code"] == "servers.resize.resizing"
    with translation.override("zh-hans"):
        assert chinese["message"] == str(ResizeMessages.RESIZING(name="m1.small"))
