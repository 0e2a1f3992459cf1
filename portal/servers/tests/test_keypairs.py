"""Key pairs: import a validated public key or generate a pair (the
private key shown once), registered in the cloud by a Task; servers name them."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.models import SimulatedObject
from portal.core.models import Task
from portal.servers import keypairs
from portal.servers.models import KeyPair, Server
from portal.servers.tests.test_instances import create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

LIST = reverse("api:keypair-list")


def detail(keypair_id):
    return reverse("api:keypair-detail", kwargs={"keypair_id": keypair_id})


def post(client, body, expect=202):
    answer = client.post(LIST, body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def public_key_of(private, comment="me@laptop"):
    line = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return f"{line.decode()} {comment}"


def in_cloud(cloud):
    return SimulatedObject.objects.filter(cloud=cloud, kind=SimulatedObject.Kind.KEYPAIR)


def test_generate_shows_the_private_key_once(identity, client_of_tenant, cloud):
    answer = post(client_of_tenant, {"keypair_name": "laptop"})
    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert answer["private_key"].startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert (answer["key_type"], answer["status"]) == ("ssh-ed25519", "ready")
    assert answer["fingerprint"].startswith("SHA256:")
    private = serialization.load_ssh_private_key(answer["private_key"].encode(), None)
    assert public_key_of(private, "").strip() == answer["public_key"]
    shown = client_of_tenant.get(detail(answer["keypair_id"])).json()
    assert "private_key" not in shown
    assert in_cloud(cloud).get().data["public_key"] == answer["public_key"]


def test_generate_rsa(identity, client_of_tenant):
    answer = post(client_of_tenant, {"keypair_name": "old-tools", "key_type": "rsa"})
    assert answer["key_type"] == "ssh-rsa"


def test_import_a_public_key(identity, client_of_tenant):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    answer = post(client_of_tenant, {"keypair_name": "work", "public_key": public_key_of(private)})
    assert answer["private_key"] is None
    assert answer["key_type"] == "ssh-rsa"
    assert answer["public_key"] == public_key_of(private, "").strip()  # comment dropped


@pytest.mark.parametrize(
    "public_key",
    ["not a key", "ssh-rsa AAAA", "-----BEGIN PUBLIC KEY-----"],
)
def test_a_bad_public_key_is_400(identity, client_of_tenant, public_key):
    answer = post(client_of_tenant, {"keypair_name": "k", "public_key": public_key}, 400)
    assert "public_key" in answer["error"]["fields"]
    assert not KeyPair.objects.exists()


def test_a_weak_rsa_key_is_400(identity, client_of_tenant):
    private = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    answer = post(
        client_of_tenant, {"keypair_name": "k", "public_key": public_key_of(private)}, 400
    )
    assert "2048" in answer["error"]["fields"]["public_key"][0]


def test_bad_name_and_taken_name(identity, client_of_tenant):
    post(client_of_tenant, {"keypair_name": "a/b"}, 400)
    post(client_of_tenant, {"keypair_name": "same"})
    assert post(client_of_tenant, {"keypair_name": "same"}, 409)["error"]["code"] == "name_taken"


def test_cloud_down_fails_the_task_and_the_key_pair(identity, client_of_tenant, cloud):
    inject_fault(cloud, "compute.import_keypair", mode="unavailable")
    answer = post(client_of_tenant, {"keypair_name": "k"})
    assert (answer["task"]["state"], answer["task"]["error_code"]) == ("failed", "unavailable")
    assert answer["status"] == "failed"
    # A failed one can be deleted (nothing in the cloud to remove).
    answer = client_of_tenant.delete(detail(answer["keypair_id"]))
    assert answer.status_code == 202
    assert not KeyPair.objects.exists()


def test_a_region_the_tenant_is_not_set_up_in_is_refused_up_front(client_of_tenant, cloud):
    answer = post(client_of_tenant, {"keypair_name": "k"}, expect=409)
    assert answer["error"]["code"] == "tenant_not_ready"
    assert not KeyPair.objects.exists()
    assert not Task.objects.exists()


def test_delete_removes_it_from_the_cloud(identity, client_of_tenant, cloud):
    keypair_id = post(client_of_tenant, {"keypair_name": "k"})["keypair_id"]
    answer = client_of_tenant.delete(detail(keypair_id))
    assert answer.status_code == 202
    assert answer.json()["task"]["state"] == "succeeded"
    assert not in_cloud(cloud).exists()
    assert client_of_tenant.get(detail(keypair_id)).status_code == 404


def test_a_failed_delete_keeps_it(identity, client_of_tenant, cloud):
    keypair_id = post(client_of_tenant, {"keypair_name": "k"})["keypair_id"]
    inject_fault(cloud, "compute.delete_keypair", mode="unavailable")
    answer = client_of_tenant.delete(detail(keypair_id)).json()
    assert answer["task"]["state"] == "failed"
    assert KeyPair.objects.get().status == KeyPair.Status.READY
    assert in_cloud(cloud).exists()


def test_another_tenants_key_pair_is_404(identity, client_of_tenant, client_of_other_tenant):
    keypair_id = post(client_of_tenant, {"keypair_name": "k"})["keypair_id"]
    assert client_of_other_tenant.get(detail(keypair_id)).status_code == 404
    assert client_of_other_tenant.delete(detail(keypair_id)).status_code == 404
    assert client_of_other_tenant.get(LIST).json()["count"] == 0


def test_list_is_paged_with_constant_queries(
    identity, client_of_tenant, django_assert_max_num_queries
):
    for n in range(5):
        post(client_of_tenant, {"keypair_name": f"k{n}"})
    with django_assert_max_num_queries(8):
        answer = client_of_tenant.get(LIST).json()
    assert [item["keypair_name"] for item in answer["keypairs"]] == [f"k{n}" for n in range(5)]


def test_operators_create_for_a_tenant(identity, platform_client, tenant):
    answer = post(platform_client, {"keypair_name": "k", "tenant_id": tenant.pk})
    assert answer["tenant_id"] == tenant.pk
    post(platform_client, {"keypair_name": "k2"}, 400)


def test_a_server_names_a_ready_key_pair(identity, client_of_tenant, create_body):
    create(client_of_tenant, create_body(key_name="nope"), expect=400)
    post(client_of_tenant, {"keypair_name": "laptop"})
    answer = create(client_of_tenant, create_body(key_name="laptop"))
    assert Server.objects.get(instance_id=answer["instance_id"]).key_name == "laptop"


def test_fingerprint_is_openssh_sha256():
    # What `ssh-keygen -lf` prints for this key.
    blob = "AAAAC3NzaC1lZDI1NTE5AAAAIMkr0QOvI/hHhd6iqi1Aaczv9ecnpzDuOed0XoUYsfkU"
    assert keypairs.fingerprint(blob) == "SHA256:HN9a/GIjoXTxYubVfvhulIvDbwaro3bThb0yeBbDyuI"


def test_key_pair_tasks_are_recorded(identity, client_of_tenant):
    keypair_id = post(client_of_tenant, {"keypair_name": "k"})["keypair_id"]
    assert Task.objects.get(target_id=keypair_id).kind == "keypair.import"
