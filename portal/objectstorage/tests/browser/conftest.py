# The browser fixtures of the portal (Chromium, live server, a signed-in admin page).
from portal.core.tests.browser.conftest import *  # noqa: F403
