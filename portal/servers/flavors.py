"""Flavors, the request side: who sees which, and the administrators' requests to create,
share and delete flavors in a cloud (Celery jobs run them: workflows/flavors.py, which also
holds the flavor pull)."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from portal.clouds.capabilities import FLAVOR_CHANGE, refuse_unsupported
from portal.core.errors import Conflict, ValidationFailed
from portal.core.models import Task
from portal.core.principals import tenant_scope
from portal.core.services import create_task, enqueue
from portal.servers.flavor_use import check_flavor_unused
from portal.servers.models import Flavor
from portal.tenants.models import TenantIdentity

# ---- reading ------------------------------------------------------------------------


def flavors_visible_to(user):
    """Operators see every flavor; a tenant sees the enabled, present flavors that are
    public or shared with it."""
    tenant = tenant_scope(user)
    return Flavor.objects.all() if tenant is None else flavors_offered_to(tenant)


def flavors_offered_to(tenant):
    """The enabled, present flavors that are public or shared with the tenant (a
    subquery, not a join, so no flavor comes twice)."""
    flavors = Flavor.objects.all()
    shared = Flavor.shared_with.through.objects.filter(tenant=tenant).values("flavor_id")
    return flavors.filter(enabled=True, missing_since__isnull=True).filter(
        Q(is_public=True) | Q(pk__in=shared)
    )


def find_flavor(queryset, flavor_id):
    """The flavor with that cloud id: one cloud's ids may repeat in another, so the
    default cloud's flavor wins, then the first cloud by name. None if there is none."""
    return (
        queryset.filter(backend_id=flavor_id).order_by("-cloud__is_default", "cloud__name").first()
    )


# ---- flavors made from the admin ---------------------------------------------------------

FLAVOR_CREATE_KIND = "flavors.create"
MAX_EXTRA_SPECS = 50


@dataclass(frozen=True)
class FlavorRequest:
    """A flavor to make in a cloud: public, or offered only to `tenants`."""

    name: str
    vcpus: int
    ram: int  # MB
    disk: int  # GB
    extra_specs: dict
    is_public: bool = True
    tenants: tuple = ()

    def spec(self) -> dict:
        """What the Celery job gets (JSON)."""
        fields = ("name", "vcpus", "ram", "disk", "extra_specs", "is_public")
        return {name: getattr(self, name) for name in fields}


def create_flavor(cloud, request: FlavorRequest, *, actor) -> Task:
    """Queue the making of a flavor in `cloud` (admin); the job mirrors it when made.
    400 on bad values or a tenant not set up in the cloud, 409 on a name in use."""
    refuse_unsupported(cloud, FLAVOR_CHANGE)
    _check_flavor(request)
    if Flavor.objects.filter(cloud=cloud, name=request.name, missing_since__isnull=True).exists():
        raise Conflict(
            _("The cloud has a flavor named %(name)s already.") % {"name": request.name},
            code="name_taken",
        )
    projects = _projects_of(cloud, request.tenants)
    with transaction.atomic():
        task = create_task(FLAVOR_CREATE_KIND, target_type="cloud", target_id=cloud.pk, actor=actor)
        enqueue(task, "portal.servers.tasks.create_flavor", cloud.pk, request.spec(), projects)
    return task


def _check_flavor(request: FlavorRequest) -> None:
    problems = {}
    if not request.name.strip() or len(request.name) > 255:
        problems["name"] = [_("Give a name of 1 to 255 characters.")]
    if request.vcpus < 1 or request.ram < 1 or request.disk < 0:
        problems["vcpus"] = [_("At least 1 vCPU and 1 MB of RAM; the disk may be 0 GB.")]
    specs = request.extra_specs
    if len(specs) > MAX_EXTRA_SPECS or not all(
        isinstance(key, str) and isinstance(value, str) and key and len(key) <= 255
        for key, value in specs.items()
    ):
        problems["extra_specs"] = [_("Extra specs are up to 50 pairs of non-empty names and text.")]
    if request.is_public and request.tenants:
        problems["shared_with"] = [_("A public flavor is offered to every tenant already.")]
    if problems:
        raise ValidationFailed(fields=problems)


def _projects_of(cloud, tenants) -> dict[str, str]:
    """{tenant id: its project id in `cloud`}; 400 if one has none yet."""
    projects = dict(
        TenantIdentity.objects.filter(cloud=cloud, tenant__in=tenants)
        .exclude(project_id="")
        .values_list("tenant_id", "project_id")
    )
    missing = sorted(tenant.pk for tenant in tenants if tenant.pk not in projects)
    if missing:
        raise ValidationFailed(
            fields={
                "shared_with": [
                    _("Not set up in this cloud yet: %(tenants)s.")
                    % {"tenants": ", ".join(missing)}
                ]
            }
        )
    return projects


# ---- flavors changed or deleted from the admin ---------------------------------------

FLAVOR_SHARE_KIND = "flavors.share"
FLAVOR_DELETE_KIND = "flavors.delete"
FLAVOR_TARGET = "flavor"


def share_flavor(flavor, tenants, *, actor) -> Task:
    """Queue setting which tenants a non-public flavor is shared with (admin); the job
    grants and revokes in the cloud and mirrors what the cloud then lists. 400 for a
    public flavor or a tenant not set up in the flavor's cloud."""
    refuse_unsupported(flavor.cloud, FLAVOR_CHANGE)
    if flavor.is_public:
        raise ValidationFailed(
            fields={"shared_with": [_("A public flavor is offered to every tenant already.")]}
        )
    projects = _projects_of(flavor.cloud, tenants)
    with transaction.atomic():
        task = create_task(
            FLAVOR_SHARE_KIND, target_type=FLAVOR_TARGET, target_id=flavor.pk, actor=actor
        )
        enqueue(task, "portal.servers.tasks.share_flavor", flavor.pk, sorted(projects.values()))
    return task


def delete_flavor(flavor, *, actor) -> Task:
    """Queue deleting the flavor in its cloud and here (admin); 409 while it is in use
    (checked again by the job, just before the cloud call)."""
    refuse_unsupported(flavor.cloud, FLAVOR_CHANGE)
    check_flavor_unused(flavor)
    with transaction.atomic():
        task = create_task(
            FLAVOR_DELETE_KIND, target_type=FLAVOR_TARGET, target_id=flavor.pk, actor=actor
        )
        enqueue(task, "portal.servers.tasks.delete_flavor", flavor.pk)
    return task
