"""Task messages as a code and parameters, made into a sentence in the reader's language.

The worker writes a Task's message in no one's language; the admin and the API read it in
their reader's. So a Task keeps the message's code and parameters, and the sentence is
rendered when shown. Each app declares its sentences once, in `Messages` subclasses of
its `task_messages.py` (gettext_lazy, so makemessages finds them); each attribute becomes
a `Template` whose code is "<prefix>.<attribute in lower case>":

    class ResizeMessages(Messages, prefix="servers.resize"):
        RESIZING = _("Resizing to flavor %(name)s")

    report_step(task, 30, ResizeMessages.RESIZING(name=flavor.name))

A parameter may itself be a message (a PortalError, a Template, a TaskMessage): it is kept
as {"code", "params"} and rendered in the same language. Text that has no code (a cloud's
own words, rows older than the codes) is kept as it was, under the code TEXT.
"""

import contextlib
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 500  # the longest message shown, as the former CharField(500) kept it
TEXT = ""  # the code of a message kept as written: params {"text": ...}

_templates: dict[str, "Template"] = {}


def _stored(value):
    """A parameter as JSON keeps it: numbers as they are, messages as {"code", "params"},
    anything else as text within MAX_LENGTH."""
    if isinstance(value, bool | int | float) or value is None:
        return value
    message = _message_of(value)
    if message is not None:
        return {"code": message.code, "params": message.params}
    return str(value)[:MAX_LENGTH]


def _shown(value):
    if isinstance(value, dict) and "code" in value:
        return render(value["code"], value.get("params") or {})
    return value


@dataclass(frozen=True)
class TaskMessage:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        return render(self.code, self.params)

    __str__ = render


class Template:
    """One registered sentence: call it with its parameters to get a TaskMessage."""

    def __init__(self, code: str, text: Promise):
        if code in _templates and str(_templates[code].text) != str(text):
            raise ValueError(f"task message code {code!r} is declared twice")
        self.code, self.text = code, text
        _templates[code] = self

    def __call__(self, **params) -> TaskMessage:
        return TaskMessage(self.code, {name: _stored(v) for name, v in params.items()})

    def __str__(self):
        return render(self.code, {})

    def __repr__(self):
        return f"<Template {self.code}>"


class Messages:
    """Declares an app's sentences: `class X(Messages, prefix="app.flow")` whose lazy
    string attributes become Templates."""

    def __init_subclass__(cls, *, prefix: str, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if isinstance(value, Promise):
                setattr(cls, name, Template(f"{prefix}.{name.lower()}", value))


def templates() -> dict[str, Template]:
    """Every registered sentence by code (what the catalogue must translate)."""
    return dict(_templates)


def text(value) -> TaskMessage:
    """A message kept as written (a cloud's own words, a row older than the codes)."""
    return TaskMessage(TEXT, {"text": str(value)[:MAX_LENGTH]})


def _message_of(value) -> TaskMessage | None:
    if isinstance(value, TaskMessage):
        return value
    if isinstance(value, Template):
        return value()
    return getattr(value, "task_message", None)  # a PortalError


def as_message(value) -> TaskMessage:
    """A TaskMessage for what a workflow gave: a TaskMessage, a Template, a PortalError, or
    text (kept as written)."""
    if value is None or value == "":
        return TaskMessage(TEXT, {})
    return _message_of(value) or text(value)


def render(code: str, params: dict) -> str:
    """The sentence in the active language, at most MAX_LENGTH characters. A code this
    release does not know (from an older or newer one) shows its text if any, else the
    code itself."""
    template = _templates.get(code)
    if template is None:
        return str(params.get("text", code))[:MAX_LENGTH]
    values = {name: _shown(value) for name, value in params.items()}
    sentence = str(template.text)
    # A translation whose placeholders do not match is shown unfilled, not as a 500.
    with contextlib.suppress(KeyError, TypeError, ValueError):
        sentence = sentence % values if values else sentence
    return sentence[:MAX_LENGTH]


class CoreMessages(Messages, prefix="core"):
    """How any Task can end, whatever its work."""

    TIMED_OUT = _("The operation took too long and was stopped.")
    CRASHED = _("An unexpected error occurred; it has been logged.")
    STUCK = _("The operation did not finish before its deadline; it was stopped.")
    WORKER_LOST = _("The worker running the operation stopped and no other took it over.")
