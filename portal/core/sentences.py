"""Tasks and audit events told as sentences for the admin's lists:
"admin stopped web-1 (t-0000000001): succeeded, 4 s".

Each sentence is translated whole, with named placeholders (other languages order the
words differently). Apps register, in their `task_messages.py`, what each Task kind does
(`operation`: a phrase holding %(actor)s and %(target)s, by kind and optional action) and
how to name a kind of target (`target_names`: ids -> names, one query for a whole page).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.principals import ACTOR_ANONYMOUS, ACTOR_SYSTEM
from portal.core.task_messages import Template

_operations: dict[tuple[str, str], Template] = {}
_kind_labels: dict[str, object] = {}  # kind -> its name (a lazy string), for the list filter
_target_names: dict[str, Callable[[list[str]], dict[str, str]]] = {}

# The portal's own actors (a Task's `requested_by`), by name.
SYSTEM_ACTORS = {
    "beat": gettext_lazy("the scheduler"),
    "portal": gettext_lazy("the portal"),
    "state-sync": gettext_lazy("the state sync"),
}
UNKNOWN_OPERATION = Template("task.unknown", gettext_lazy("%(actor)s ran %(kind)s on %(target)s"))


def operation(kind: str, phrase, *, action: str = "", label=None) -> Template:
    """Register what a Task of `kind` (and `action`, e.g. the power operation) does, as a
    phrase with %(actor)s and %(target)s, and the kind's name (`label`) for the list's
    filter: `operation("server.delete", _("%(actor)s deleted %(target)s"),
    label=_("server deletion"))`."""
    if label is not None:
        _kind_labels[kind] = label
    code = f"task.{kind}.{action}" if action else f"task.{kind}"
    template = _operations[(kind, action)] = Template(code, phrase)
    return template


def kind_label(kind: str) -> str:
    """A Task kind by its name in the active language (the kind itself if unnamed)."""
    return str(_kind_labels.get(kind, kind))


def target_names(target_type: str, lookup: Callable[[list[str]], dict[str, str]]) -> None:
    """Register how targets of `target_type` are named: `lookup(ids)` -> {id: name}."""
    _target_names[target_type] = lookup


def name_targets(tasks: Iterable) -> None:
    """Give each Task its target's name (`task.target_name`): one query per kind of
    target on the page, whatever its length."""
    tasks = list(tasks)
    wanted = defaultdict(set)
    for task in tasks:
        if task.target_type in _target_names and task.target_id:
            wanted[task.target_type].add(task.target_id)
    names = {kind: _target_names[kind](sorted(ids)) for kind, ids in wanted.items()}
    for task in tasks:
        task.target_name = names.get(task.target_type, {}).get(task.target_id, "")


def actor_name(requested_by: str) -> str:
    """Who: a person's or key's name; the portal's own actors in words."""
    kind, _sep, name = requested_by.partition(":")
    if kind == ACTOR_SYSTEM:
        return str(SYSTEM_ACTORS.get(name, name))
    if kind == ACTOR_ANONYMOUS or not (name or kind):
        return _("someone")
    return name or kind


def duration(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return _("%(seconds)d s") % {"seconds": seconds}
    if seconds < 3600:
        return _("%(minutes)d min %(seconds)d s") % {
            "minutes": seconds // 60,
            "seconds": seconds % 60,
        }
    return _("%(hours)d h %(minutes)d min") % {
        "hours": seconds // 3600,
        "minutes": seconds % 3600 // 60,
    }


def _framed(operation_text: str, tenant: str, outcome: str, took: str) -> str:
    values = {"operation": operation_text, "tenant": tenant, "outcome": outcome, "took": took}
    if tenant and took:
        return _("%(operation)s (%(tenant)s): %(outcome)s, %(took)s") % values
    if tenant:
        return _("%(operation)s (%(tenant)s): %(outcome)s") % values
    if took:
        return _("%(operation)s: %(outcome)s, %(took)s") % values
    return _("%(operation)s: %(outcome)s") % values


def task_sentence(task, target_name: str = "") -> str:
    """Who did what to which target, for which tenant, how it went and how long it took.
    The target is `target_name`, else as `name_targets` named it, else its id."""
    template = _operations.get((task.kind, task.action)) or _operations.get((task.kind, ""))
    target = target_name or getattr(task, "target_name", "") or task.target_id or "-"
    values = {"actor": actor_name(task.requested_by), "target": target, "kind": task.kind}
    phrase = str((template or UNKNOWN_OPERATION).text) % values
    outcome = task.get_state_display()
    if task.state == task.State.RUNNING:
        outcome = _("%(state)s, %(progress)d%%") % {"state": outcome, "progress": task.progress}
    took = ""
    if task.started and task.is_finished and task.finished:
        took = duration((task.finished - task.started).total_seconds())
    elif task.started and task.state == task.State.RUNNING:
        took = duration((timezone.now() - task.started).total_seconds())
    tenant = task.tenant_id or ""  # the tenant's primary key is its tenant id
    return _framed(phrase, tenant, str(outcome), took)


# ---- the audit log ---------------------------------------------------------------------


@lru_cache(maxsize=512)
def _model_of(view_name: str):
    """The model a view acts on: the admin's "<app>_<model>_<view>" and the API's
    "<basename>-<list|detail|action>" name one (None when they do not)."""
    namespace, _sep, name = view_name.rpartition(":")
    if namespace == "admin":
        parts = name.split("_")
        if len(parts) >= 3:
            try:
                return apps.get_model(parts[0], parts[1])
            except LookupError:
                return None
        return None
    basename = name.rsplit("-", 1)[0].replace("-", "").replace("_", "")
    return next((m for m in apps.get_models() if m._meta.model_name == basename), None)


def _model_name(view_name: str) -> str:
    model = _model_of(view_name)
    return str(model._meta.verbose_name) if model else view_name.rpartition(":")[2]


def _audit_phrase(event) -> str:
    view_name = event.action.rsplit(" ", 1)[0]
    thing = _model_name(view_name)
    if event.object_id:
        thing = _("%(kind)s %(id)s") % {"kind": thing, "id": event.object_id}
    values = {"actor": event.actor or actor_name(event.actor_type), "object": thing}
    if event.method == "DELETE" or view_name.endswith("_delete"):
        return _("%(actor)s deleted %(object)s") % values
    if event.method in ("PUT", "PATCH") or view_name.endswith("_change"):
        return _("%(actor)s changed %(object)s") % values
    if event.method == "POST" and (view_name.endswith(("-list", "_add"))):
        return _("%(actor)s created %(object)s") % values
    if event.method == "POST":
        return _("%(actor)s acted on %(object)s") % values
    return _("%(actor)s read %(object)s") % values


def audit_sentence(event) -> str:
    """ "admin deleted server i-1a2b (t-0000000001): refused (409)"."""
    values = {"status": event.status_code}
    if event.status_code < 400:
        outcome = _("done (%(status)d)") % values
    elif event.status_code < 500:
        outcome = _("refused (%(status)d)") % values
    else:
        outcome = _("failed (%(status)d)") % values
    return _framed(_audit_phrase(event), event.tenant_id, outcome, "")


def names_from(model, id_field: str, name_field: str):
    """A `target_names` lookup reading `name_field` of `model` rows by `id_field`."""

    def lookup(ids):
        rows = model._base_manager.filter(**{f"{id_field}__in": ids})
        return {str(key): name for key, name in rows.values_list(id_field, name_field)}

    return lookup
