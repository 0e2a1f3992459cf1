"""Helpers for tests that run on the simulator (here and in the portal's other apps)."""

from django.utils import timezone

from portal.clouds.base import ServerSpec, TenantCredentials
from portal.clouds.simulator.demo import seed_demo_cloud
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.models import SimulatedObject


def make_tenant(cloud, name: str = "tenant", password: str = "tenant-secret") -> TenantCredentials:
    """A domain, project and user named `name` with a role on the project, as sign-up makes
    them; returns the credentials a tenant-scope driver is opened with."""
    identity = SimulatorDriver(cloud).identity
    domain_id = identity.create_domain(name)
    project_id = identity.create_project(name, domain_id)
    user_id = identity.create_user(name, password, domain_id, project_id)
    role_id = identity.create_role("member", domain_id)
    identity.assign_role(role_id, user_id, project_id)
    return TenantCredentials(
        username=name, password=password, project_id=project_id, user_domain_id=domain_id
    )


def boot_spec(cloud, name: str = "vm", flavor: str = "m1.small", **changes) -> ServerSpec:
    """A ServerSpec on the demo content (seeded if missing): cirros on default-net."""
    demo = seed_demo_cloud(cloud)
    fields = {
        "name": name,
        "flavor_id": demo["flavors"][flavor],
        "image_id": demo["images"]["cirros-0.6.2"],
        "boot_volume_size": 1,
        "network_ids": [demo["network_id"]],
    }
    return ServerSpec(**{**fields, **changes})


def fast_forward(cloud) -> None:
    """Make every pending transition of `cloud` due now; the next read applies them."""
    SimulatedObject.objects.filter(cloud=cloud, ready_at__isnull=False).update(
        ready_at=timezone.now()
    )


def set_delays(cloud, **delays: float) -> None:
    """Set the transition delays (seconds) of `cloud`, e.g. set_delays(cloud, default=60)."""
    cloud.options = {**cloud.options, "delays": delays}
    cloud.save(update_fields=["options"])


def record_usage(store, bucket_name: str, used_bytes: int, used_objects: int) -> None:
    """Set what a bucket of the simulated object store `store` holds (it has no writes)."""
    _change_data(
        store,
        SimulatedObject.Kind.BUCKET,
        bucket_name,
        used_bytes=used_bytes,
        used_objects=used_objects,
    )


def suspend_s3_user(store, uid: str, suspended: bool = True) -> None:
    """Suspend (or reactivate) an S3 user of `store`, as an operator does in RGW."""
    _change_data(store, SimulatedObject.Kind.S3_USER, uid, suspended=suspended)


def _change_data(store, kind: str, name: str, **changes) -> None:
    found = SimulatedObject.objects.get(cloud=store.cloud, kind=kind, name=name)
    found.data = {**found.data, **changes}
    found.save()
