"""Security groups, the cloud side: create, update (the rule set replaced in seed 004's
order), delete, attach to and detach from servers, and the mirror of groups with their
rules that both these jobs and the network pull write. Run by portal/network/tasks.py
with the group's tenant's own cloud user.

Every job ends by re-reading the group from the cloud and mirroring what it holds, so
the portal shows Neutron's rules, not the request's.
"""

import logging

from django.utils.translation import gettext as _

from portal.clouds.base_network import SecurityGroupRuleSpec
from portal.clouds.errors import CloudError
from portal.clouds.mirror import CloudMirror, SyncCounts, pages
from portal.core.models import Task
from portal.core.services import report_step
from portal.network.security_groups import quota
from portal.network.security_groups.models import SecurityGroup, SecurityGroupRule
from portal.network.security_groups.rules import rule_key
from portal.network.security_groups.server_use import server_directory
from portal.network.security_groups.task_messages import SecurityGroupMessages as M
from portal.tenants import quotas
from portal.tenants.models import TenantIdentity

logger = logging.getLogger(__name__)
Status = SecurityGroup.Status


# ---- create, update, delete --------------------------------------------------------------


def create(task, group, driver, job) -> object:
    """Make the group, then give it exactly the requested rules; on failure delete what
    was made and mark the group failed."""
    wanted = _specs(job["rules"])
    try:
        if not group.backend_id:  # a job that came back after a dead worker has one
            report_step(task, 10, M.CREATING_GROUP(name=group.name))
            made = driver.network.create_security_group(group.name, group.description)
            SecurityGroup.objects.filter(pk=group.pk).update(backend_id=made.id)
            group.backend_id = made.id
        current = driver.network.get_security_group(group.backend_id)
        replace_rules(task, driver, current, wanted, refused=M.RULE_REFUSED_CREATING)
    except Exception as exc:
        _undo_create(group, driver)
        SecurityGroup.objects.filter(pk=group.pk).update(
            status=Status.FAILED, status_message=str(exc)[:500]
        )
        quota.settle(task, group, 0, succeeded=False)
        raise
    info = _record(group, driver, Status.READY)
    quota.settle(task, group, len(info.rules), succeeded=True)
    return M.CREATED(name=info.name, count=len(info.rules))


def update(task, group, driver, job) -> object:
    """Change the name and description and, when asked, replace the rules: read the
    current rules, create the new ones, update the group, then delete the old ones. A
    failure before the old rules go deletes the new ones: the group keeps its old rules."""
    changes = {name: job[name] for name in ("name", "description") if name in job}
    try:
        current = driver.network.get_security_group(group.backend_id)

        def rename():
            if changes:
                report_step(task, 60, M.RENAMING)
                driver.network.update_security_group(group.backend_id, **changes)

        if job.get("rules") is None:
            rename()
        else:
            replace_rules(task, driver, current, _specs(job["rules"]), rename)
    except Exception:
        info = _record_after_failure(group, driver)
        rule_count = len(info.rules) if info else quota.rules_held_by(group)
        quota.settle(task, group, rule_count, succeeded=False)
        raise
    info = _record(group, driver, Status.READY)
    quota.settle(task, group, len(info.rules), succeeded=True)
    return M.UPDATED(name=info.name, count=len(info.rules))


def delete(task, group, driver) -> object:
    """Delete the group (Neutron deletes its rules with it), then its rows."""
    report_step(task, 30, M.DELETING_GROUP(name=group.name))
    if group.backend_id:
        try:
            driver.network.delete_security_group(group.backend_id)
        except Exception:
            SecurityGroup.objects.filter(pk=group.pk).update(status=Status.READY)
            raise
    quotas.release_held_by(group)
    group.delete()
    return M.DELETED(name=group.name)


def replace_rules(task, driver, current, wanted, rename=None, refused=M.RULE_REFUSED):
    """Make the group `current` (as just read) hold exactly `wanted`, in seed 004's order:
    create the rules it lacks, `rename()`, then delete the rules not wanted. A rule it has
    already (same rule, same description) is kept as it is. Until the old rules go, a
    failure deletes the rules this call made and is raised again: the group keeps its
    old rules. `refused` says how a rule the cloud refused fails the Task."""
    existing = {rule_key(rule): rule for rule in current.rules}
    kept = {
        existing[rule_key(spec)].id
        for spec in wanted
        if rule_key(spec) in existing and existing[rule_key(spec)].description == spec.description
    }
    # A rule Neutron has already under another description: Neutron cannot change a rule
    # and refuses a second one, so it is made again once the old one is gone.
    redescribed = [
        spec
        for spec in wanted
        if rule_key(spec) in existing and existing[rule_key(spec)].id not in kept
    ]
    new = [
        (number, spec) for number, spec in enumerate(wanted, 1) if rule_key(spec) not in existing
    ]
    made = []
    try:
        if new:
            report_step(task, 20, M.CREATING_RULES(count=len(new)))
        for number, spec in new:
            made.append(_create_rule(driver, current.id, spec, number, refused))
        if rename is not None:
            rename()
    except Exception:
        _delete_rules(task, driver, made)
        raise
    old = [rule.id for rule in current.rules if rule.id not in kept]
    if old:
        report_step(task, 75, M.DELETING_OLD_RULES(count=len(old)))
    for rule_id in old:
        driver.network.delete_security_group_rule(rule_id)
    for spec in redescribed:
        _create_rule(driver, current.id, spec, wanted.index(spec) + 1, refused)


def _create_rule(driver, group_id, spec, number, refused):
    try:
        return driver.network.create_security_group_rule(group_id, spec).id
    except CloudError as exc:
        exc.reword(refused(number=number, rule=describe(spec), reason=exc))
        raise


def _delete_rules(task, driver, rule_ids):
    if rule_ids:
        report_step(task, 80, M.UNDOING(count=len(rule_ids)))
    for rule_id in rule_ids:
        try:
            driver.network.delete_security_group_rule(rule_id)
        except CloudError:
            logger.exception("could not delete rule %s while undoing", rule_id)


def _undo_create(group, driver):
    if not group.backend_id:
        return
    try:
        driver.network.delete_security_group(group.backend_id)
    except CloudError:
        logger.exception("could not delete security group %s while undoing", group.backend_id)
        return
    SecurityGroup.objects.filter(pk=group.pk).update(backend_id=None)


def _record_after_failure(group, driver):
    """Mirror what the cloud holds after a failed change, and free the group; returns
    the group as re-read (None if that failed too)."""
    try:
        return _record(group, driver, Status.READY)
    except CloudError:
        SecurityGroup.objects.filter(pk=group.pk).update(status=Status.READY)
        return None


def _record(group, driver, status):
    """Re-read the group, mirror it with its rules, and set the portal's status."""
    info = driver.network.get_security_group(group.backend_id)
    mirror_security_groups(group.cloud, [info], complete=False)
    # Rules the portal itself replaced need no history (the pull marks those that vanish
    # behind its back).
    SecurityGroupRule.objects.filter(group=group, missing_since__isnull=False).delete()
    SecurityGroup.objects.filter(pk=group.pk).update(status=status, status_message="")
    return info


def describe(spec) -> str:
    """A rule in a few words: "ingress tcp 22-22 10.0.0.0/8"."""
    ports = f" {spec.port_range_min}-{spec.port_range_max}" if spec.port_range_min else ""
    remote = spec.remote_ip_prefix or _("anywhere")
    return f"{spec.direction} {spec.protocol or _('any')}{ports} {remote} ({spec.ethertype})"


def _specs(rules: list[dict]) -> list[SecurityGroupRuleSpec]:
    return [SecurityGroupRuleSpec(**rule) for rule in rules]


# ---- attach to and detach from servers ---------------------------------------------------


def operate(task, group, driver, ops_type, instance_ids) -> object:
    """Attach the group to (or detach it from) each server through Nova, one after the
    other; the Task's result lists what happened to each (`{"servers": [...]}`), and it
    fails if any server failed."""
    directory = server_directory()
    servers = {s.instance_id: s for s in directory.find_servers(group.tenant, instance_ids)}
    step = M.ATTACHING if ops_type == "attach" else M.DETACHING
    results, errors, count = [], [], len(instance_ids)
    try:
        for number, instance_id in enumerate(instance_ids, 1):
            server = servers.get(instance_id)
            name = server.name if server else instance_id
            percent = 10 + 80 * (number - 1) // count
            report_step(task, percent, step(server=name, number=number, count=count))
            result, error = _operate_one(driver, group, server, instance_id, ops_type)
            results.append(result)
            errors += [error] if error else []
            # Kept on the Task as it goes (its final save writes this copy too).
            task.result = {"servers": results}
            Task.objects.filter(pk=task.pk).update(result=task.result)
    finally:
        SecurityGroup.objects.filter(pk=group.pk).update(status=Status.READY)
    if errors:
        failed = [result for result in results if result["outcome"] == "failed"]
        names = ", ".join(result["instance_name"] or result["instance_id"] for result in failed)
        errors[0].reword(
            M.SERVERS_FAILED(failed=len(failed), count=count, servers=names, reason=errors[0])
        )
        raise errors[0]
    changed = sum(result["outcome"] != "unchanged" for result in results)
    done = M.ATTACHED if ops_type == "attach" else M.DETACHED
    return done(changed=changed, count=count)


def _operate_one(driver, group, server, instance_id, ops_type):
    """(what happened to the server, as the Task's result lists it; the CloudError if
    it failed)."""
    result = {"instance_id": instance_id, "instance_name": server.name if server else ""}
    try:
        if server is None:
            raise CloudError(M.SERVER_GONE, code="not_found")
        before = driver.compute.get_server(server.backend_id).security_groups
        member = group.name in before
        if ops_type == "attach" and not member:
            driver.compute.add_security_group(server.backend_id, group.name)
        elif ops_type == "detach" and member:
            driver.compute.remove_security_group(server.backend_id, group.name)
        after = driver.compute.get_server(server.backend_id).security_groups
    except CloudError as exc:
        return {**result, "outcome": "failed", "message": exc.message}, exc
    server_directory().record_security_groups(instance_id, list(after))
    changed = member != (group.name in after)
    outcome = ("attached" if ops_type == "attach" else "detached") if changed else "unchanged"
    return {**result, "outcome": outcome, "message": ""}, None


# ---- the mirror --------------------------------------------------------------------------


def mirror_security_groups(cloud, infos, *, complete: bool) -> SyncCounts:
    """Mirror groups with their rules, a page at a time (a constant number of queries per
    page). After a `complete` listing of the cloud, groups and rules it no longer has are
    marked missing; otherwise only the rules of the groups given that are gone."""
    tenant_of = dict(
        TenantIdentity.objects.filter(cloud=cloud)
        .exclude(project_id="")
        .values_list("project_id", "tenant_id")
    )
    groups, rules = CloudMirror(SecurityGroup, cloud), CloudMirror(SecurityGroupRule, cloud)
    for page in pages(infos):
        rows = groups.upsert({info.id: _group_fields(info, tenant_of) for info in page})
        rules.upsert(
            {rule.id: _rule_fields(rule, rows[info.id].pk) for info in page for rule in info.rules}
        )
    if complete:
        groups.mark_missing()
        rules.mark_missing()
    else:
        ids = [info.id for info in infos]
        rules.mark_missing(SecurityGroupRule.objects.filter(group__backend_id__in=ids))
    return groups.counts + rules.counts


def _group_fields(info, tenant_of):
    return {
        "name": info.name or "",
        "description": (info.description or "")[:255],
        "project_id": info.project_id or "",
        "tenant_id": tenant_of.get(info.project_id),
        "cloud_created_at": info.created_at,
        "cloud_updated_at": info.updated_at,
    }


def _rule_fields(rule, group_pk):
    return {
        "group_id": group_pk,
        "direction": rule.direction,
        "protocol": rule.protocol or "",
        "port_range_min": rule.port_range_min,
        "port_range_max": rule.port_range_max,
        "remote_ip_prefix": rule.remote_ip_prefix or "",
        "ethertype": rule.ethertype,
        "description": (rule.description or "")[:255],
        "cloud_created_at": rule.created_at,
        "cloud_updated_at": rule.updated_at,
    }
