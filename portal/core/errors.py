"""The portal's own errors: each has a stable code, an HTTP status and a human sentence.

Services raise these; the API turns them into the error shape of design/api.md and the
admin shows their message. Cloud drivers raise the CloudError subclasses of
portal.clouds.errors, which are PortalErrors too.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.core.task_messages import Template, as_message


class PortalError(Exception):
    """Subclasses may name their HTTP status and code in the class statement:
    `class NotFound(PortalError, status=404, code="not_found")`.

    The message may be a task message (task_messages.Template or TaskMessage), so a Task
    this error fails shows it in its reader's language; `message` is the sentence in the
    language active when raised. A class's `default_message` is registered as the task
    message "error.<class name>".
    """

    status = 400
    code = "bad_request"
    default_message = _("The request is not valid.")

    def __init_subclass__(cls, *, status=None, code=None, **kwargs):
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code
        if isinstance(cls.__dict__.get("default_message"), Promise):
            cls.default_message = Template(f"error.{cls.__name__}", cls.default_message)

    def __init__(self, message=None, *, code=None, fields=None):
        self.task_message = as_message(message or self.default_message)
        # Text is kept whole (an API error may be longer than a Task's message).
        self.message = self.task_message.render() if self.task_message.code else str(message)
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(self.message)

    def reword(self, message):
        """Say it differently (a task message that may hold this error's own as a
        parameter), e.g. with what a workflow did about it."""
        self.task_message = as_message(message)
        self.message = self.task_message.render()
        self.args = (self.message,)


PortalError.default_message = Template("error.PortalError", PortalError.default_message)


class ValidationFailed(PortalError, status=400, code="invalid"):
    default_message = _("Some fields are not valid.")


class NotAuthenticated(PortalError, status=401, code="not_authenticated"):
    default_message = _("Authentication credentials were missing or wrong.")


class PermissionDenied(PortalError, status=403, code="permission_denied"):
    default_message = _("You may not do this.")


class NotFound(PortalError, status=404, code="not_found"):
    default_message = _("Not found.")


class Conflict(PortalError, status=409, code="conflict"):
    default_message = _("The request conflicts with the current state of the resource.")


class QuotaExceeded(PortalError, status=409, code="quota_exceeded"):
    default_message = _("The quota would be exceeded.")


class Unprocessable(PortalError, status=422, code="unprocessable"):
    default_message = _("The request is well formed but cannot be carried out.")


class PayloadTooLarge(PortalError, status=413, code="too_large"):
    default_message = _("The request body is too large.")


class ServiceUnavailable(PortalError, status=503, code="unavailable"):
    default_message = _("A service the portal depends on is unavailable; try again later.")
