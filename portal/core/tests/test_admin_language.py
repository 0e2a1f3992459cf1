import pytest

pytestmark = pytest.mark.django_db


def test_the_header_switch_changes_the_admin_language(client, staff_user):
    client.force_login(staff_user)
    assert "Site administration" in client.get("/admin/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"})
    assert response.status_code == 302
    assert "站点管理" in client.get("/admin/").content.decode()


def test_the_browser_language_is_used_by_default(client, staff_user):
    client.force_login(staff_user)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert "站点管理" in page.content.decode()
