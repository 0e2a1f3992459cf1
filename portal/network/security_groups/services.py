"""Security groups, the request side: who sees which, the checks of a create, update,
delete or attach/detach (before anything is written), the group's one-operation-at-a-time
status, quota, and the Tasks whose jobs (portal/network/tasks.py) change the cloud."""

from dataclasses import asdict

from django.db import transaction
from django.utils.translation import gettext as _

from portal.clouds.capabilities import (
    SECURITY_GROUP_ATTACH,
    SECURITY_GROUP_CHANGE,
    refuse_unsupported,
)
from portal.core.errors import Conflict, NotFound, Unprocessable, ValidationFailed
from portal.core.principals import tenant_scope
from portal.core.services import create_task, enqueue, on_task_abandoned
from portal.network.security_groups.models import SecurityGroup
from portal.network.security_groups.quota import rules_held_by
from portal.network.security_groups.rules import check_rule_sets
from portal.network.security_groups.server_use import server_directory
from portal.network.services import DEFAULT_SECURITY_GROUP, project_of
from portal.tenants import quotas
from portal.tenants.regions import require_ready

CREATE_KIND = "security_group.create"
UPDATE_KIND = "security_group.update"
DELETE_KIND = "security_group.delete"
OPERATE_KIND = "security_group.operate"
TARGET = "security_group"
OPS_TYPES = ("attach", "detach")
MAX_SERVERS_PER_OPERATION = 50
Status = SecurityGroup.Status


def groups_visible_to(user):
    """Operators see every group; a tenant its own groups the cloud still has."""
    tenant = tenant_scope(user)
    if tenant is None:
        return SecurityGroup.objects.all()
    return SecurityGroup.objects.filter(tenant=tenant, missing_since__isnull=True)


def present_rules(group):
    """The group's rules the cloud still has."""
    return [rule for rule in group.rules.all() if rule.missing_since is None]


# ---- create, update, delete --------------------------------------------------------------


def create_group(tenant, cloud, *, name, description="", rule_sets=(), actor):
    """Queue the creation of a group with exactly the rules of `rule_sets` (Neutron's
    default egress rules are replaced by them). Returns (group, Task)."""
    refuse_unsupported(cloud, SECURITY_GROUP_CHANGE)
    require_ready(tenant, cloud)
    name, description = _checked_name(name), (description or "").strip()
    specs = check_rule_sets(rule_sets)
    with transaction.atomic():
        _refuse_taken_name(tenant, cloud, name)
        group = SecurityGroup.objects.create(
            tenant=tenant,
            cloud=cloud,
            name=name,
            description=description,
            project_id=project_of(tenant, cloud),
            status=Status.CREATING,
        )
        task = _new_task(group, CREATE_KIND, actor)
        quotas.reserve(
            tenant, task=task, holder=group, security_groups=1, security_group_rules=len(specs)
        )
        job = {"rules": [asdict(spec) for spec in specs]}
        enqueue(task, "portal.network.tasks.create_security_group", job)
    return group, task


def update_group(group, *, name=None, description=None, rule_sets=None, actor):
    """Queue a change of the group's name or description, and, when `rule_sets` is
    given, the replacement of its rules by exactly these. Returns (group, Task)."""
    refuse_unsupported(group.cloud, SECURITY_GROUP_CHANGE)
    changes = {}
    if name is not None:
        changes["name"] = _checked_name(name, group)
    if description is not None:
        changes["description"] = description.strip()
    specs = None if rule_sets is None else check_rule_sets(rule_sets)
    with transaction.atomic():
        if changes.get("name", group.name) != group.name:
            _refuse_taken_name(group.tenant, group.cloud, changes["name"], group)
        _take(group, Status.UPDATING, (Status.READY,))
        task = _new_task(group, UPDATE_KIND, actor)
        more_rules = 0 if specs is None else len(specs) - rules_held_by(group)
        if more_rules > 0 and group.tenant is not None:
            quotas.reserve(group.tenant, task=task, holder=group, security_group_rules=more_rules)
        job = {**changes, "rules": None if specs is None else [asdict(spec) for spec in specs]}
        enqueue(task, "portal.network.tasks.update_security_group", job)
    return group, task


def delete_group(group, *, actor):
    """Queue the deletion of the group and its rules; 409 naming the servers that still
    use it."""
    refuse_unsupported(group.cloud, SECURITY_GROUP_CHANGE)
    if group.name == DEFAULT_SECURITY_GROUP:
        raise Conflict(_("A project's default security group cannot be deleted."), code="in_use")
    users = server_directory().servers_using(group) if group.backend_id else []
    if users:
        raise Conflict(
            _("Servers still use the security group: %(servers)s. Detach it first.")
            % {"servers": ", ".join(f"{s.name} ({s.instance_id})" for s in users)},
            code="in_use",
            fields={"instance_ids": [server.instance_id for server in users]},
        )
    with transaction.atomic():
        _take(group, Status.DELETING, SecurityGroup.IDLE)
        task = _new_task(group, DELETE_KIND, actor)
        enqueue(task, "portal.network.tasks.delete_security_group")
    return group, task


# ---- attach to and detach from servers ---------------------------------------------------


def operate_group(group, instance_ids, ops_type, *, actor):
    """Queue one Task attaching the group to (or detaching it from) each server named;
    404 naming ids the group's tenant has no server of."""
    refuse_unsupported(group.cloud, SECURITY_GROUP_ATTACH)
    if ops_type not in OPS_TYPES:
        raise ValidationFailed(fields={"ops_type": [_("attach or detach.")]})
    ids = list(dict.fromkeys(instance_ids or []))
    if not 1 <= len(ids) <= MAX_SERVERS_PER_OPERATION:
        problem = _("Name 1 to %(count)d servers.") % {"count": MAX_SERVERS_PER_OPERATION}
        raise ValidationFailed(problem, fields={"instance_ids": [problem]})
    if group.tenant_id is None:
        raise Unprocessable(_("The security group belongs to no tenant of the portal."))
    servers = server_directory().find_servers(group.tenant, ids)
    unknown = sorted(set(ids) - {server.instance_id for server in servers})
    if unknown:
        raise NotFound(
            _("No server of the group's tenant has these ids: %(ids)s.")
            % {"ids": ", ".join(unknown)},
            fields={"instance_ids": unknown},
        )
    elsewhere = [s.instance_id for s in servers if s.cloud_id != group.cloud_id]
    if elsewhere:
        raise Unprocessable(
            _("These servers are in another region than the group: %(ids)s.")
            % {"ids": ", ".join(elsewhere)},
            fields={"instance_ids": elsewhere},
        )
    unbuilt = [s.instance_id for s in servers if not s.backend_id]
    if unbuilt:
        raise Conflict(
            _("These servers are not created in the cloud yet: %(ids)s.")
            % {"ids": ", ".join(unbuilt)},
            code="invalid_state",
        )
    with transaction.atomic():
        _take(group, Status.OPERATING, (Status.READY,))
        task = _new_task(group, OPERATE_KIND, actor, action=ops_type)
        enqueue(task, "portal.network.tasks.operate_security_group", ops_type, ids)
    return group, task


# ---- helpers -----------------------------------------------------------------------------


def _checked_name(name, group=None) -> str:
    name = (name or "").strip()
    if not 1 <= len(name) <= 255:
        raise ValidationFailed(fields={"security_group_name": [_("1 to 255 characters.")]})
    current = group.name if group is not None else None
    if name != current and DEFAULT_SECURITY_GROUP in (name, current):
        problem = _("Every project has its own group named default: no other group may take "
                    "that name, and it keeps it.")  # fmt: skip
        raise ValidationFailed(problem, fields={"security_group_name": [problem]})
    return name


def _refuse_taken_name(tenant, cloud, name, group=None):
    """409 if the tenant has another group of this name in the cloud: Nova takes groups
    by name, so two of one name could not be told apart."""
    taken = SecurityGroup.objects.filter(
        tenant=tenant, cloud=cloud, name=name, missing_since__isnull=True
    ).exclude(status=Status.FAILED)
    if group is not None:
        taken = taken.exclude(pk=group.pk)
    if taken.exists():
        raise Conflict(
            _("A security group named %(name)s exists already.") % {"name": name},
            code="name_taken",
        )


def _take(group, status, allowed):
    """Move the group to `status` if it is in one of `allowed` (a conditional UPDATE, so
    two requests cannot both start an operation); 409 otherwise."""
    taken = SecurityGroup.objects.filter(pk=group.pk, status__in=allowed).update(status=status)
    if not taken:
        group.refresh_from_db(fields=["status"])
        raise Conflict(
            _("The security group is %(status)s; try again when that ends.")
            % {"status": group.get_status_display()},
            code="invalid_state",
        )
    group.status = status


def _new_task(group, kind, actor, action=""):
    task = create_task(
        kind,
        target_type=TARGET,
        target_id=group.security_group_id,
        tenant=group.tenant,
        actor=actor,
        action=action,
    )
    SecurityGroup.objects.filter(pk=group.pk).update(current_task=task)
    group.current_task = task
    return task


# ---- what the stuck-task janitor releases ------------------------------------------------


@on_task_abandoned(CREATE_KIND)
def _abandoned_create(task):
    quotas.release_task_reservations(task)
    SecurityGroup.objects.filter(security_group_id=task.target_id, status=Status.CREATING).update(
        status=Status.FAILED, status_message=task.message[:500]
    )


def _abandoned_change(task):
    quotas.release_task_reservations(task)
    busy = (Status.UPDATING, Status.OPERATING, Status.DELETING)
    SecurityGroup.objects.filter(security_group_id=task.target_id, status__in=busy).update(
        status=Status.READY
    )


for _kind in (UPDATE_KIND, DELETE_KIND, OPERATE_KIND):
    on_task_abandoned(_kind)(_abandoned_change)
