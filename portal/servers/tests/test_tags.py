"""Server tags (seed 001): the list, one tag, validation, isolation."""

import pytest
from django.urls import reverse

from portal.servers.tests.factories import ServerFactory

pytestmark = pytest.mark.django_db


def tags_url(server):
    return reverse("api:instance-tags", kwargs={"instance_id": server.instance_id})


def tag_url(server, tag):
    return reverse("api:instance-tag", kwargs={"instance_id": server.instance_id, "tag": tag})


@pytest.fixture
def server(tenant, cloud):
    return ServerFactory(tenant=tenant, cloud=cloud)


def test_replace_read_add_and_remove_tags(server, client_of_tenant):
    answer = client_of_tenant.put(tags_url(server), {"tags": ["web", "prod", "web"]}, format="json")
    assert answer.status_code == 200
    assert answer.json() == {"tags": ["prod", "web"]}
    assert client_of_tenant.put(tag_url(server, "blue")).status_code == 204
    assert client_of_tenant.put(tag_url(server, "blue")).status_code == 204  # idempotent
    assert client_of_tenant.delete(tag_url(server, "prod")).status_code == 204
    assert client_of_tenant.get(tags_url(server)).json() == {"tags": ["blue", "web"]}
    assert client_of_tenant.delete(tag_url(server, "prod")).status_code == 404


def test_bad_tags_are_refused(server, client_of_tenant):
    answer = client_of_tenant.put(tags_url(server), {"tags": ["a,b"]}, format="json")
    assert answer.status_code == 400
    answer = client_of_tenant.put(tags_url(server), {"tags": ["x" * 61]}, format="json")
    assert answer.status_code == 400


def test_another_tenants_tags_are_not_found(other_tenant, cloud, client_of_tenant):
    theirs = ServerFactory(tenant=other_tenant, cloud=cloud)
    assert client_of_tenant.get(tags_url(theirs)).status_code == 404
    assert client_of_tenant.put(tags_url(theirs), {"tags": []}, format="json").status_code == 404
    assert client_of_tenant.put(tag_url(theirs, "x")).status_code == 404
    assert client_of_tenant.delete(tag_url(theirs, "x")).status_code == 404
