"""Requests that would reach a driver call an Azure cloud cannot make (clouds.capabilities)
are refused with 422 `not_supported_by_cloud` before anything is written: floating IPs,
NAS shares, VPCs, routers and security groups made or changed, flavors made, several
security groups on one server, and image uploads in a format Azure cannot boot."""

import pytest

from portal.clouds.capabilities import UNSUPPORTED
from portal.clouds.tests.factories import AzureCloudFactory
from portal.core.errors import Unprocessable
from portal.core.models import Task
from portal.images.models import Image
from portal.network.models import Network
from portal.network.tests.factories import NetworkFactory, SecurityGroupFactory
from portal.servers import flavors
from portal.servers.flavors import FlavorRequest
from portal.servers.models import Flavor
from portal.servers.tests.factories import FlavorFactory, ServerFactory
from portal.servers.tests.test_instances import LIST
from portal.shares.models import Share
from portal.tenants.models import QuotaReservation, TenantIdentity

pytestmark = pytest.mark.django_db

AZURE_SAYS = UNSUPPORTED["azure"]
GROUP = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/portal-rg"


@pytest.fixture
def azure(tenant):
    cloud = AzureCloudFactory(is_default=True)
    TenantIdentity.objects.create(
        tenant=tenant, cloud=cloud, domain_name="t", project_name="t", username="t",
        role_name="t", password="unused", domain_id=GROUP, project_id=f"{GROUP}-t",
        state=TenantIdentity.State.READY,
    )  # fmt: skip
    return cloud


def nothing_written():
    return not (Task.objects.exists() or QuotaReservation.objects.exists())


def assert_refused(answer, operation):
    assert answer.status_code == 422, answer.content
    error = answer.json()["error"]
    assert (error["code"], error["message"]) == ("not_supported_by_cloud", AZURE_SAYS[operation])
    assert nothing_written()


@pytest.mark.parametrize(
    ("path", "body", "operation"),
    [
        ("/api/v1/floating-ips", {}, "floating_ips"),
        ("/api/v1/vpcs", {"vpc_name": "v", "subnet": "10.0.0.0/24"}, "network_change"),
        ("/api/v1/routers", {"router_name": "r"}, "router_change"),
        ("/api/v1/security-groups", {"security_group_name": "web"}, "security_group_change"),
        (
            "/api/v1/nas-disks",
            {"share_name": "s", "share_proto": "NFS", "share_size_in_g": 1, "network_id": "n"},
            "shares",
        ),
    ],
)
def test_what_azure_clouds_do_not_make_is_refused(client_of_tenant, azure, path, body, operation):
    assert_refused(client_of_tenant.post(path, body, format="json"), operation)
    assert not Network.objects.exists()
    assert not Share.objects.exists()


def test_a_mapped_group_is_neither_changed_nor_attached(client_of_tenant, tenant, azure):
    group = SecurityGroupFactory(cloud=azure, tenant=tenant, name="web", backend_id="web")
    server = ServerFactory(cloud=azure, tenant=tenant)
    url = f"/api/v1/security-groups/{group.security_group_id}"

    renamed = client_of_tenant.put(url, {"security_group_name": "db"}, format="json")
    assert_refused(renamed, "security_group_change")
    assert_refused(client_of_tenant.delete(url), "security_group_change")
    attach = {"instance_ids": [server.instance_id], "ops_type": "attach"}
    attached = client_of_tenant.post(f"{url}/operate", attach, format="json")
    assert_refused(attached, "security_group_attach")


def test_a_server_gets_one_security_group_on_azure(client_of_tenant, azure):
    NetworkFactory(cloud=azure, backend_id="web-net")
    body = {
        "flavor_ref": "small",
        "image_ref": "ubuntu",
        "network_uuid": "web-net",
        "instance_name": "web-1",
        "security_group_name": ["web", "db"],
    }

    assert_refused(client_of_tenant.post(LIST, body, format="json"), "several_security_groups")


def test_flavors_are_not_made_shared_or_deleted_on_azure(azure, tenant):
    request = FlavorRequest(name="tiny", vcpus=1, ram=512, disk=1, extra_specs={})
    mapped = FlavorFactory(cloud=azure, backend_id="small")

    for attempt in (
        lambda: flavors.create_flavor(azure, request, actor="staff:alice"),
        lambda: flavors.share_flavor(mapped, [tenant], actor="staff:alice"),
        lambda: flavors.delete_flavor(mapped, actor="staff:alice"),
    ):
        with pytest.raises(Unprocessable) as refused:
            attempt()
        assert refused.value.code == "not_supported_by_cloud"
        assert refused.value.message == AZURE_SAYS["flavor_change"]
    assert nothing_written()
    assert list(Flavor.objects.all()) == [mapped]


@pytest.mark.parametrize(
    ("disk_format", "accepted"), [("qcow2", False), ("raw", True), ("vhd", True)]
)
def test_image_uploads_to_azure_are_raw_or_vhd(platform_client, azure, disk_format, accepted):
    body = {
        "image_name": "ubuntu",
        "image_diskformat": disk_format,
        "image_containerformat": "bare",
        "region": azure.region,
    }

    answer = platform_client.post("/api/v1/images", body, format="json")

    if accepted:
        assert answer.status_code == 201, answer.content
        return
    assert_refused(answer, "image_format")
    assert "image_diskformat" in answer.json()["error"]["fields"]
    assert not Image.objects.exists()
