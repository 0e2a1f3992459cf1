"""Booting from an existing Azure disk through the API (seed 000's boot from volume): an
image mapped to a managed disk. The request names no key pair, password or other system
disk size (422 before anything is written); the server boots from the disk attached as
it is, records the disk's size as its system disk, and its deletion keeps the disk."""

import pytest

from conftest import tenant_client
from portal.clouds.models import AzureMapping
from portal.clouds.tests.azure.test_boot_disk import DISK_ID, boot_disk_variables
from portal.core.models import Task
from portal.images.tests.factories import ImageFactory
from portal.servers.models import Server
from portal.servers.tests import test_azure_server_flow as flow
from portal.servers.tests.factories import KeyPairFactory
from portal.servers.tests.test_azure_server_flow import (
    GROUP,
    PASSWORD,
    last_task,
    sign_up_on_azure,
    status_of,
    the_vm,
)
from portal.servers.tests.test_instances import LIST, detail
from portal.tenants import quotas

pytestmark = pytest.mark.django_db
# The flow's fixtures: the mapped Azure cloud with its mirrors, and the queued jobs.
azure = flow.azure
jobs = flow.jobs


@pytest.fixture
def golden(azure):
    """The image "golden-web", mapped to an operator's disk of 32 GB (the image pull
    mirrors its size as the image's least system disk)."""
    AzureMapping.objects.create(
        cloud=azure, kind=AzureMapping.Kind.IMAGE, name="golden-web", azure_ref=DISK_ID
    )
    ImageFactory(cloud=azure, backend_id="golden-web", image_id="golden-web", min_disk=32)
    return azure


def request_body(**changes):
    return {
        "flavor_ref": "m1.small",
        "image_ref": "golden-web",
        "network_uuid": "private",
        "security_group_name": ["web"],
        "instance_name": "web-1",
        **changes,
    }


def booted_vm(instance_id, **changes):
    vm = the_vm(instance_id)
    return boot_disk_variables(GROUP, vm=vm["vm"], tags=vm["tags"], **changes)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"admin_pass": PASSWORD}, "admin_pass", "keeps its own accounts"),
        ({"key_name": "alice"}, "key_name", "keeps its own accounts"),
        ({"system_disk": {"size_in_g": 64}}, "system_disk", "of 32 GB"),
    ],
    ids=["password", "key_pair", "system_disk"],
)
def test_what_a_disk_s_own_system_cannot_take_is_422_before_anything(
    golden,
    arm,
    platform_client,
    jobs,
    changes,
    field,
    words,
):
    tenant = sign_up_on_azure(golden, arm, platform_client, jobs)
    KeyPairFactory(tenant=tenant, cloud=golden, name="alice")
    tasks = Task.objects.count()

    answer = tenant_client(tenant).post(LIST, request_body(**changes), format="json")

    assert answer.status_code == 422, answer.content
    error = answer.json()["error"]
    assert (error["code"], list(error["fields"])) == ("boot_disk_image", [field])
    assert words in error["message"]
    assert (Server.objects.exists(), Task.objects.count()) == (False, tasks)


def test_a_server_boots_from_a_mapped_disk_and_its_deletion_keeps_the_disk(
    golden,
    arm,
    platform_client,
    jobs,
):
    tenant = sign_up_on_azure(golden, arm, platform_client, jobs)
    client = tenant_client(tenant)

    created = client.post(LIST, request_body(), format="json")
    assert created.status_code == 202, created.content
    instance_id = created.json()["instance_id"]
    vm = booted_vm(instance_id)
    arm.sign_in().play("vm_create_from_disk", **vm)
    arm.play("vm_from_disk_get", **vm).play("vm_from_disk_get", **vm)
    jobs()
    last_task(instance_id)
    server = Server.objects.get(instance_id=instance_id)
    assert status_of(client, instance_id) == "ACTIVE"
    assert (server.backend_id, server.system_disk_size) == (vm["vm"], 32)

    answer = client.delete(detail(instance_id))
    assert answer.status_code == 202, answer.content
    gone = booted_vm(
        instance_id,
        vm_operation="0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e",
        nic_operation="1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        instance_view=None,
    )
    arm.sign_in().play("vm_delete_keeping_disk", **gone).play("vm_get_not_found", **gone)
    jobs()
    last_task(instance_id)
    assert client.get(detail(instance_id)).status_code == 404
    deleted = [call.request.url for call in arm.calls if call.request.method == "DELETE"]
    assert len(deleted) == 2  # the VM and its NIC; no disk
    assert not any("/disks/" in url for url in deleted)
    assert quotas.usage_of(tenant)["instances"] == 0
