"""Networks, security groups, availability zones and compute hosts, the request side: who
may use which, and the check of a server's placement against the mirrors.

Only the pull's Celery job reads the cloud (workflows.py); the check reads the mirrors, so
a request naming an unknown or unusable network, group, zone or host is refused before
anything is written (no server row, no quota).
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.clouds.capabilities import SECURITY_GROUP_CHANGE, supports
from portal.core.errors import Unprocessable, ValidationFailed
from portal.core.principals import tenant_scope
from portal.network.models import AvailabilityZone, ComputeHost, Network, SecurityGroup
from portal.tenants.models import TenantIdentity

# Neutron makes a project's "default" group the first time the project needs one (a
# listing or a port), so the mirror may not hold it yet; Nova accepts it in any project.
DEFAULT_SECURITY_GROUP = "default"
ACTIVE = "ACTIVE"


# ---- who may use what ---------------------------------------------------------------


def project_of(tenant, cloud) -> str:
    """The tenant's project id in `cloud` ("" while it has none)."""
    identity = TenantIdentity.objects.filter(tenant=tenant, cloud=cloud).exclude(project_id="")
    return identity.values_list("project_id", flat=True).first() or ""


def networks_usable_by(tenant, cloud):
    """Present networks of `cloud` a tenant may boot on: its project's and shared ones
    (Neutron lets a project plug ports only into those)."""
    project_id = project_of(tenant, cloud)
    own = Q(project_id=project_id) if project_id else Q(pk__in=[])
    return Network.objects.filter(cloud=cloud, missing_since__isnull=True).filter(
        own | Q(shared=True)
    )


def network_for_server(tenant, cloud, network_uuid: str) -> str:
    """The Neutron id of the network a new server of `tenant` goes on: `network_uuid`
    as given (a network's id), the network of one of the tenant's VPCs named by its
    `vpc_id`, or, when left out, the tenant's only usable network (400 if it has none
    or several). Unknown ids are left to check_placement, which names them."""
    if network_uuid:
        vpc = Network.objects.filter(
            cloud=cloud, tenant=tenant, vpc_id=network_uuid, backend_id__isnull=False
        )
        return vpc.values_list("backend_id", flat=True).first() or network_uuid
    usable = networks_usable_by(tenant, cloud).filter(external=False, status=ACTIVE)
    found = list(usable.values_list("backend_id", flat=True)[:2])
    if len(found) == 1:
        return found[0]
    if found:
        message = _("You have several networks in this region; name one in network_uuid.")
    else:
        message = _("You have no usable network in this region; create a VPC first.")
    raise ValidationFailed(message, fields={"network_uuid": [message]})


def networks_visible_to(user):
    """Operators see every network; a tenant the present ones of its projects and the
    shared ones, in every cloud it is set up in."""
    tenant = tenant_scope(user)
    if tenant is None:
        return Network.objects.all()
    projects = TenantIdentity.objects.filter(tenant=tenant).exclude(project_id="")
    own = Q(
        cloud__in=projects.values("cloud"),
        project_id__in=projects.values("project_id"),
    )
    return Network.objects.filter(missing_since__isnull=True).filter(own | Q(shared=True))


def network_choices() -> list[tuple[str, str]]:
    """(network id, label) of the present networks tenants may boot on, for the admin's
    pickers: shared ones, and each tenant's own labelled with the tenant."""
    tenant_of = _tenants_by_project()
    networks = Network.objects.filter(missing_since__isnull=True).select_related("cloud")
    choices = []
    for network in networks.filter(Q(shared=True) | Q(project_id__in=list(tenant_of))):
        owner = _("shared") if network.shared else tenant_of[network.project_id]
        choices.append((network.backend_id, f"{network} ({owner}, {network.cloud.region})"))
    return choices


def security_group_choices() -> list[tuple[str, str]]:
    """(name, label) of the security group names of the tenants' present groups, each
    labelled with the tenants that have one (a template names groups, not a project's),
    and "default", which every project has."""
    tenant_of = _tenants_by_project()
    groups = (
        SecurityGroup.objects.in_cloud()
        .filter(project_id__in=list(tenant_of))
        .exclude(name=DEFAULT_SECURITY_GROUP)
    )
    owners = {}
    for name, project_id in groups.values_list("name", "project_id"):
        owners.setdefault(name, set()).add(tenant_of[project_id])
    return [(DEFAULT_SECURITY_GROUP, f"{DEFAULT_SECURITY_GROUP} ({_('every project')})")] + [
        (name, f"{name} ({', '.join(sorted(owners[name]))})") for name in sorted(owners)
    ]


def _tenants_by_project() -> dict[str, str]:
    return dict(
        TenantIdentity.objects.exclude(project_id="").values_list("project_id", "tenant_id")
    )


# ---- a server's placement, checked against the mirrors -------------------------------


@dataclass(frozen=True)
class Placement:
    """Where a new server goes, in the request's field names (CreateInstanceReq)."""

    network_uuid: str
    security_group_name: tuple[str, ...] = ()
    availability_zone: str = ""
    hypervisor_hostname: str = ""


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    known: bool  # known but unusable (422) rather than unknown (400)


def check_placement(tenant, cloud, placement: Placement) -> None:
    """Refuse a placement the cloud would refuse: 400 naming each unknown network, group,
    zone or host (not in the mirror, or not visible to the tenant); else 422 naming each
    known but unusable one. Reads only the mirrors (a constant number of queries)."""
    project_id = project_of(tenant, cloud)
    problems = [
        problem
        for problem in (
            _network_problem(cloud, project_id, placement.network_uuid),
            _security_group_problem(cloud, project_id, placement.security_group_name),
            _zone_problem(cloud, placement.availability_zone),
            _host_problem(cloud, placement.hypervisor_hostname, placement.availability_zone),
        )
        if problem is not None
    ]
    unknown = [problem for problem in problems if not problem.known]
    if unknown:
        raise ValidationFailed(fields=_by_field(unknown))
    if problems:
        raise Unprocessable(
            " ".join(problem.message for problem in problems),
            code="placement_unusable",
            fields=_by_field(problems),
        )


def check_network_known(cloud, network_uuid) -> None:
    """400 unless `cloud` has the network (server templates: which tenant boots from one
    is known only when a server is made, and its create checks the rest)."""
    if not _present(Network, cloud, network_uuid).exists():
        message = _("No network %(id)s in this region.") % {"id": network_uuid}
        raise ValidationFailed(fields={"network_uuid": [f"{message} {_refreshed_by_sync()}"]})


def _present(model, cloud, backend_id):
    """The mirrored object of `cloud` with this backend id, unless the cloud lost it."""
    return model.objects.filter(cloud=cloud, backend_id=backend_id, missing_since__isnull=True)


def _by_field(problems) -> dict[str, list[str]]:
    return {problem.field: [problem.message] for problem in problems}


def _refreshed_by_sync() -> str:
    return _(
        "The portal's list is refreshed by the network sync; an administrator can run it "
        "now (Networking → Sync now)."
    )


def _network_problem(cloud, project_id, network_uuid) -> Problem | None:
    network = _present(Network, cloud, network_uuid).first()
    if network is None or not (
        network.shared or network.external or (project_id and network.project_id == project_id)
    ):
        message = _("No network %(id)s that this tenant may use in this region.") % {
            "id": network_uuid
        }
        return Problem("network_uuid", f"{message} {_refreshed_by_sync()}", known=False)
    if network.external and not network.shared and network.project_id != project_id:
        message = _(
            "The network %(name)s is an external network; servers cannot be plugged into it."
        )
        return Problem("network_uuid", message % {"name": network}, known=True)
    if network.status != ACTIVE:
        message = _("The network %(name)s is %(status)s, not ACTIVE.")
        return Problem(
            "network_uuid", message % {"name": network, "status": network.status}, known=True
        )
    return None


def _security_group_problem(cloud, project_id, names) -> Problem | None:
    wanted = set(names) - {DEFAULT_SECURITY_GROUP}
    if not wanted:
        return None
    owners = Q(project_id=project_id) if project_id else Q(pk__in=[])
    if not supports(cloud, SECURITY_GROUP_CHANGE):
        owners |= Q(project_id="")  # the operator's mapped groups, every tenant's to use
    groups = SecurityGroup.objects.in_cloud().filter(owners, cloud=cloud, name__in=wanted)
    known = set(groups.values_list("name", flat=True))
    unknown = sorted(wanted - known)
    if not unknown:
        return None
    message = _("No security group named %(names)s in this tenant's project.") % {
        "names": ", ".join(unknown)
    }
    return Problem("security_group_name", f"{message} {_refreshed_by_sync()}", known=False)


def _zone_problem(cloud, zone_name) -> Problem | None:
    if not zone_name:
        return None
    zone = _present(AvailabilityZone, cloud, zone_name).first()
    if zone is None:
        message = _("No availability zone %(name)s in this region.") % {"name": zone_name}
        return Problem("availability_zone", message, known=False)
    if not zone.available:
        message = _("The availability zone %(name)s is not available.") % {"name": zone_name}
        return Problem("availability_zone", message, known=True)
    return None


def _host_problem(cloud, host_name, zone_name) -> Problem | None:
    if not host_name:
        return None
    host = _present(ComputeHost, cloud, host_name).first()
    if host is None:
        message = _("No compute host %(name)s in this region.") % {"name": host_name}
        return Problem("hypervisor_hostname", message, known=False)
    if host.status != ComputeHost.Status.ENABLED:
        message = _("The host %(name)s is disabled. %(reason)s")
        values = {"name": host_name, "reason": host.disabled_reason}
        return Problem("hypervisor_hostname", (message % values).strip(), known=True)
    if host.state != ComputeHost.State.UP:
        message = _("The host %(name)s is down.") % {"name": host_name}
        return Problem("hypervisor_hostname", message, known=True)
    if zone_name and host.zone != zone_name:
        message = _("The host %(name)s is in availability zone %(host_zone)s, not %(zone)s.")
        values = {"name": host_name, "host_zone": host.zone, "zone": zone_name}
        return Problem("hypervisor_hostname", message % values, known=True)
    return None
