"""The shape of the code: imports run one way through the apps' layers, with no cycle,
and every job enqueued by name is a registered Celery task."""

import ast
import re
from pathlib import Path

from django.conf import settings

import portal
from portal.celery import app as celery_app
from portal.clouds.sync import SYNC_KINDS

ROOT = Path(portal.__file__).parent
# Lowest first: an app may import the apps before it, never one after it.
LAYERS = [
    "core", "webhooks", "clouds", "tenants", "network", "images", "isos", "servers", "shares",
    "objectstorage", "console",
]  # fmt: skip
# Project modules outside any app, with what may import them.
PROJECT_MODULES = {
    "portal",
    "portal.asgi",
    "portal.celery",
    "portal.settings",
    "portal.settings_test",
    "portal.urls",
    "portal.wsgi",
}


def source_modules():
    """{module name: parsed tree} of every module of portal/ but migrations and tests."""
    modules = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if "migrations" in parts or "tests" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = (path, ast.parse(path.read_text(), filename=str(path)))
    return modules


def imported_modules(name, path, tree, known):
    """The portal modules `name` imports anywhere (module level or inside functions)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from package import module` imports the module; else the package itself.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        found.update(target for target in targets if target in known)
    found.discard(name)
    return found


def import_graph():
    modules = source_modules()
    return {
        name: imported_modules(name, path, tree, modules) for name, (path, tree) in modules.items()
    }


def app_of(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def upward_imports(graph):
    """(importer, imported) pairs where a lower app imports a higher one."""
    upward = set()
    for importer, targets in graph.items():
        low = app_of(importer)
        for target in targets:
            high = app_of(target)
            if low and high and LAYERS.index(high) > LAYERS.index(low):
                upward.add((importer, target))
    return upward


def test_every_module_belongs_to_a_layer():
    strays = {m for m in import_graph() if app_of(m) is None and m not in PROJECT_MODULES}
    assert not strays, f"modules outside the layered apps: {sorted(strays)}"


def test_no_app_imports_a_higher_one():
    assert sorted(upward_imports(import_graph())) == []


def test_the_import_graph_has_no_cycle():
    assert cycles(import_graph()) == []


MAX_MODULE_LINES = 450


def test_no_module_is_over_the_size_limit():
    """Past this a module mixes concerns: split it (tests included, migrations aside)."""
    sizes = {
        str(path.relative_to(ROOT.parent)): len(path.read_text().splitlines())
        for path in ROOT.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: n for path, n in sizes.items() if n > MAX_MODULE_LINES} == {}


# ---- request side and worker side, within an app -----------------------------------------

# What the admin UI and the API call: validation, locks, quota, Tasks queued by job name.
REQUEST_SIDE = {"services", "api", "admin", "forms", "filters"}
# What the Celery jobs run: tasks.py (thin shims) and the workflows they call.
WORKER_SIDE = {"tasks", "workflows"}


def side_parts(module):
    """The module's path inside its app (`portal.servers.cdrom.services` -> cdrom, services)."""
    return set(module.split(".")[2:])


def same_app(importer, target):
    """Both in one app, but core: its services.py (Tasks, their outcome, the janitor) is
    the ground floor every app's both sides stand on."""
    return app_of(importer) not in (None, "core") and app_of(importer) == app_of(target)


def imports_within_an_app(importer_side, target_side):
    """(importer, imported) pairs of one app where both are on the sides given (predicates
    of the module's path inside its app)."""
    return sorted(
        (importer, target)
        for importer, targets in import_graph().items()
        for target in targets
        if same_app(importer, target)
        and importer_side(side_parts(importer))
        and target_side(side_parts(target))
    )


def test_the_request_side_never_imports_the_worker_side():
    crossing = imports_within_an_app(
        lambda importer: not importer & WORKER_SIDE, lambda target: target & WORKER_SIDE
    )
    assert crossing == []


def test_the_worker_side_never_imports_the_request_side():
    crossing = imports_within_an_app(
        lambda importer: importer & WORKER_SIDE, lambda target: target & REQUEST_SIDE
    )
    assert crossing == []


# ---- jobs enqueued by name -------------------------------------------------------------


def enqueued_job_names():
    """The constant job names passed to `enqueue(task, "name", ...)` anywhere."""
    names = set()
    for _name, (_path, tree) in source_modules().items():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "enqueue"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                names.add(node.args[1].value)
    return names


def test_every_job_enqueued_by_name_is_a_registered_task():
    celery_app.loader.import_default_modules()
    names = enqueued_job_names() | {kind.job for kind in SYNC_KINDS.values()}
    beat = {entry["task"] for entry in getattr(settings, "CELERY_BEAT_SCHEDULE", {}).values()}
    assert len(names) > 10  # the scan found the calls
    assert sorted((names | beat) - set(celery_app.tasks)) == []


# ---- the README's description of the layout --------------------------------------------

README = ROOT.parent / "README.md"
# Files every app may have, described once by the README's first table.
COMMON_FILES = {
    "__init__.py", "apps.py", "models.py", "services.py", "tasks.py", "workflows.py",
    "task_messages.py",
    "admin.py", "forms.py", "filters.py", "api", "admin", "workflows", "tests",
    "migrations", "management", "__pycache__",
}  # fmt: skip


def readme_app_rows():
    """{app: the text of its row} from the README's table of apps."""
    section = README.read_text().split("## How the code is laid out", 1)[1].split("\n## ")[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `portal/(\w+)/` \|(.*)\|$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def test_the_readme_describes_every_app_and_its_modules():
    rows = readme_app_rows()
    assert set(rows) == set(LAYERS)
    for app, text in rows.items():
        named = set(re.findall(r"`([\w/]+(?:\.py|/))`", text))
        missing = {name for name in named if not (ROOT / app / name).exists()}
        assert not missing, f"the README names what {app} does not have: {missing}"
        entries = {path.name for path in (ROOT / app).iterdir()} - COMMON_FILES
        undescribed = {e for e in entries if e not in named and f"{e}/" not in named}
        assert not undescribed, f"the README does not describe {app}'s {undescribed}"
