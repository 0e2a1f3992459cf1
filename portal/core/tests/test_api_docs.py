"""The API's docs page works without internet (Swagger UI from the static files, not a
CDN), the login page's translations load before a login, and there is a favicon."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

CDN = re.compile(r"https?://(?!127\.0\.0\.1|localhost)[^\s\"']+")


def test_the_docs_page_loads_swagger_ui_from_the_static_files(client):
    page = client.get("/api/docs/").content.decode()
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", page)
    assert any("swagger-ui-dist" in asset for asset in assets)
    assert not CDN.findall(page), "the page fetches something from the internet"
    for asset in assets:
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset


def test_the_translation_catalogue_loads_without_a_login(client):
    login = client.get("/admin/login/").content.decode()
    assert '<script src="/jsi18n/">' in login
    catalogue = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert catalogue.status_code == 200
    assert "gettext" in catalogue.content.decode()


def test_the_admin_and_the_browsers_default_path_have_a_favicon(client):
    assert (
        '<link rel="icon" href="/static/portal/favicon.svg"'
        in client.get("/admin/login/").content.decode()
    )
    answer = client.get("/favicon.ico")
    assert answer.status_code == 302
    assert answer["Location"] == "/static/portal/favicon.svg"
    assert finders.find("portal/favicon.svg")
