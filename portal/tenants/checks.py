"""System checks of the tenants app (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Warning


def check_platform_authz(app_configs=None, **kwargs):
    if settings.PLATFORM_AUTHZ_URL:
        return []
    return [
        Warning(
            "PLATFORM_AUTHZ_URL is not set: the platform is never asked whether a platform "
            "user may act on a resource, so every tenant user may act on all of its "
            "tenant's resources.",
            hint="Set PLATFORM_AUTHZ_URL to the platform's permission endpoint.",
            id="tenants.W001",
        )
    ]
