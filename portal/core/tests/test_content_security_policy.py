"""The Content-Security-Policy header, and templates that keep working under it: no
inline <script> without a nonce and no inline event handler (the browser refuses both)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src|nonce)=)[^>]*>", re.IGNORECASE)


def directives(response):
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part)}


@pytest.mark.parametrize("path", ["/admin/login/", "/api/v1/tasks", "/api/docs/", "/healthz"])
def test_every_answer_carries_the_policy(client, path):
    policy = directives(client.get(path))

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no nonce asked for, no inline script
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]


def test_the_admin_pages_are_served_under_it(admin_client):
    response = admin_client.get("/admin/")

    assert response.status_code == 200
    assert "unsafe-inline" not in " ".join(directives(response)["script-src"])
    assert not INLINE_HANDLER.search(response.content.decode())


def test_the_docs_page_loads_its_set_up_as_a_script_file(client):
    page = client.get("/api/docs/").content.decode()

    assert not INLINE_SCRIPT.search(page)
    script = re.search(r'<script src="([^"]*script[^"]*)"', page).group(1)
    set_up = client.get(script.replace("&amp;", "&"))
    assert set_up.status_code == 200
    assert set_up["Content-Type"].startswith("application/javascript")


def test_no_template_has_an_inline_script_or_event_handler():
    """Use a static file (static/portal/forms.js: data-confirm, data-submit-on-change)."""
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text()
        if INLINE_HANDLER.search(text) or INLINE_SCRIPT.search(text):
            offenders.append(str(template.relative_to(settings.BASE_DIR)))
    assert offenders == []
