"""What of the tenant's quota a security group holds: `security_groups` 1 and
`security_group_rules` its rule count, for the groups the portal made (a group the
pull found holds none). The request side reserves what a create or a bigger rule set
needs; the job settles the holding to what the cloud holds once it re-read the group."""

from django.db.models import Sum

from portal.tenants import quotas
from portal.tenants.models import QuotaReservation


def rules_held_by(group) -> int:
    holding = quotas.held_by(group).filter(state__in=QuotaReservation.HOLDING)
    return holding.aggregate(rules=Sum("security_group_rules"))["rules"] or 0


def settle(task, group, rule_count: int, *, succeeded: bool) -> None:
    """Commit (or, after a failure, release) what `task` reserved, then make the rules
    the group holds `rule_count`, the rules the cloud now has."""
    if succeeded:
        quotas.commit_task_reservations(task)
    else:
        quotas.release_task_reservations(task)
    holding = quotas.held_by(group).filter(state__in=QuotaReservation.HOLDING)
    if group.tenant_id is None or not holding.exists():
        return
    difference = rule_count - rules_held_by(group)
    if difference:
        quotas.record(group.tenant, task=task, holder=group, security_group_rules=difference)
