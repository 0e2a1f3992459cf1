"""The OpenAPI schema tells the truth: schemathesis calls every operation with a tenant key
and with a platform key against the simulator cloud, and every answer must be documented
(status, content type, body schema) and none may be a 5xx.

Bounded (a fixed number of examples per operation, derandomized so that CI runs the same
cases every time); it runs in the unit suite on PostgreSQL (`make test-unit`).
"""

import hashlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis import checks

from portal.clouds.models import AzureMapping
from portal.clouds.simulator.demo import seed_demo_cloud
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.tests.factories import AzureCloudFactory
from portal.images.models import Image
from portal.images.workflows import sync_images
from portal.isos.tests.factories import FtpServerFactory, IsoFactory
from portal.network.tests.factories import (
    RouterFactory,
    SecurityGroupFactory,
    SubnetFactory,
    VpcFactory,
)
from portal.network.workflows import sync_network
from portal.objectstorage.models import Bucket, ObjectStore, OssUser
from portal.servers.disks.models import Volume
from portal.servers.models import Flavor
from portal.servers.tests.factories import ServerFactory, ServerTemplateFactory, make_identity
from portal.servers.workflows.flavors import sync_flavors
from portal.shares.tests.factories import ShareFactory
from portal.tenants.tests.factories import make_platform_key, make_tenant_key
from portal.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.schemathesis]

EXAMPLES_PER_OPERATION = 10
CONFORMANCE = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


# The schema /api/schema/ serves (made without a request: everything public).
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def keep_the_test_connection():
    """Django closes the database connection when a request starts and ends; the test's
    transaction lives on it (the test client disconnects these signals the same way)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(cloud, tenant, keep_the_test_connection):
    """The demo catalog mirrored, the tenant set up in the cloud, and one of each object
    an operation may name: their ids replace about half of the generated path ids, so
    that operations reach real objects as well as missing ones."""
    seed_demo_cloud(cloud)
    driver = SimulatorDriver(cloud)
    sync_flavors(cloud, driver)
    sync_images(cloud, driver)
    sync_network(cloud, driver)
    make_identity(tenant, cloud)
    image = Image.objects.filter(cloud=cloud).first()
    flavor = Flavor.objects.filter(cloud=cloud).first()
    server = ServerFactory(cloud=cloud, tenant=tenant)
    iso = IsoFactory(ftp_server=FtpServerFactory(cloud=cloud))
    template = ServerTemplateFactory(image=image, flavor=flavor)
    subnet = SubnetFactory(network=VpcFactory(cloud=cloud, tenant=tenant))
    router = RouterFactory(cloud=cloud, tenant=tenant)
    group = SecurityGroupFactory(cloud=cloud, tenant=tenant)
    disk = Volume.objects.create(
        cloud=cloud, tenant=tenant, name="disk", size=1, status="available", backend_id="v-1"
    )
    share = ShareFactory(cloud=cloud, tenant=tenant, network_id=server.network_id)
    bucket = _object_storage(cloud, tenant)
    mapping = _azure_mapping(flavor)
    return {
        "volume_id": disk.volume_id,
        "instance_id": server.instance_id,
        "image_id": image.image_id,
        "flavor_id": flavor.backend_id,
        "iso_id": iso.iso_id,
        "ftp_server_id": str(iso.ftp_server.pk),
        "cloud_id": str(cloud.pk),
        "tenant_id": tenant.tenant_id,
        "template_id": str(template.template_id),
        "network_uuid": server.network_id,
        "task_id": "0",
        "vpc_id": subnet.network.vpc_id,
        "subnet_id": subnet.subnet_id,
        "router_id": router.router_id,
        "security_group_id": group.security_group_id,
        "share_id": share.share_id,
        "object_store_id": str(bucket.store.pk),
        "oss_uid": bucket.owner.uid,
        "bucket_name": bucket.name,
        "mapping_id": str(mapping.pk),
    }


def _azure_mapping(flavor):
    """A mapping of a (disabled) Azure cloud: paths naming it with the world's simulator
    cloud find nothing, as they should."""
    azure = AzureCloudFactory(enabled=False)
    return AzureMapping.objects.create(
        cloud=azure, kind="flavor", name=flavor.backend_id, azure_ref="Standard_B2s"
    )


def _object_storage(cloud, tenant):
    """The region's simulated RGW, the tenant's S3 user (its caller's) and a bucket."""
    store = ObjectStore.objects.create(
        name="rgw", cloud=cloud, kind=ObjectStore.Kind.SIMULATOR, admin_url="http://rgw.invalid",
        s3_url="http://s3.invalid", access_key="admin", secret_key="secret",
    )  # fmt: skip
    owner = OssUser.objects.create(
        store=store, tenant=tenant, uid="user-1", status=OssUser.Status.READY
    )
    return Bucket.objects.create(
        store=store, owner=owner, name="contract-bucket", status=Bucket.Status.READY
    )


@pytest.fixture
def tenant_headers(tenant):
    _, key = make_tenant_key(tenant)
    return {
        "Authorization": f"Api-Key {key}",
        "X-Tenant-Id": tenant.tenant_id,
        "X-Platform-User-Id": "user-1",
    }


@pytest.fixture
def platform_headers(db):
    _, key = make_platform_key()
    return {"Authorization": f"Api-Key {key}"}


def _aim_at_real_objects(case, world):
    """Replace about half of the generated path ids (chosen by the generated value, so
    the same every run) with ids of objects that exist."""
    for name, value in list((case.path_parameters or {}).items()):
        if name in world and hashlib.sha256(str(value).encode()).digest()[0] % 2:
            case.path_parameters[name] = world[name]


def _check(case, world, headers):
    _aim_at_real_objects(case, world)
    if any(parameter.name == "wait" for parameter in case.operation.query):
        # The jobs never run here (the test's transaction never commits): waiting for
        # them would only sleep, up to a minute per call.
        case.query = {**(case.query or {}), "wait": 0}
    response = case.call(app=application, headers=headers)
    case.validate_response(response, checks=CONFORMANCE, headers=headers)


ENOUGH = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@ENOUGH
def test_with_a_tenant_key(case, world, tenant_headers):
    _check(case, world, tenant_headers)


@schema.parametrize()
@ENOUGH
def test_with_a_platform_key(case, world, platform_headers):
    _check(case, world, platform_headers)
