"""Accessibility basics on the main admin pages: every visible form field has a label."""

import pytest

from portal.images.tests.factories import ImageFactory
from portal.isos.tests.factories import IsoFactory
from portal.tenants.tests.factories import TenantFactory

pytestmark = pytest.mark.browser

MAIN_PAGES = [
    "/admin/",
    "/admin/clouds/cloud/",
    "/admin/clouds/cloud/add/",
    "/admin/tenants/tenant/",
    "/admin/tenants/tenant/add/",
    "/admin/images/image/",
    "/admin/isos/iso/",
    "/admin/servers/server/",
    "/admin/core/task/",
    "/admin/core/auditevent/",
]

# Visible fields without a <label>, aria-label, aria-labelledby or title (buttons are named
# by their value).
UNLABELLED_FIELDS = """() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter((field) => !["hidden", "submit", "button", "reset", "image"].includes(field.type))
  .filter((field) => field.getClientRects().length > 0)
  .filter((field) => !(field.labels && field.labels.length) &&
    !field.getAttribute("aria-label") && !field.getAttribute("aria-labelledby") && !field.title)
  .map((field) => field.outerHTML.slice(0, 160))"""


def test_every_visible_field_of_the_main_pages_is_labelled(admin_page, live_server, cloud):
    TenantFactory(name="acme")
    ImageFactory(cloud=cloud)
    IsoFactory(ftp_server__cloud=cloud)
    unlabelled = {}
    for path in MAIN_PAGES:
        admin_page.goto(f"{live_server.url}{path}")
        fields = admin_page.evaluate(UNLABELLED_FIELDS)
        if fields:
            unlabelled[path] = fields
    assert unlabelled == {}

    # The check itself sees a field nobody labelled.
    admin_page.evaluate("document.body.append(document.createElement('input'))")
    assert admin_page.evaluate(UNLABELLED_FIELDS) == ["<input>"]
