"""System checks of the portal's settings (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks


def warn_when_unset(setting: str, message: str, *, hint: str, id: str) -> None:
    """Register a deploy check warning (`message`, `hint`, `id`) while `setting` is empty;
    call from an app's `ready()`."""

    def check(app_configs=None, **kwargs):
        if getattr(settings, setting):
            return []
        return [checks.Warning(message, hint=hint, id=id)]

    checks.register(check, "deploy", deploy=True)
