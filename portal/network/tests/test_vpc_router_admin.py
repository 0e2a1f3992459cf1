"""The admin's VPC and router pages: lists with search and filters (constant queries), the
pages with subnets, interfaces and routes, and the forms that queue the same request-side
work as the API (refusals shown on the form)."""

import pytest
from django.urls import reverse

from portal.clouds.simulator.models import SimulatedObject
from portal.network.models import Network, Router, RouterInterface, Subnet
from portal.network.tests.factories import NetworkFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


def post(client, url, data=None, expect=302):
    answer = client.post(url, data or {})
    assert answer.status_code == expect, answer.content[:3000]
    return answer


@pytest.fixture
def vpc(admin_client, identity, tenant, cloud):
    answer = post(
        admin_client,
        reverse("admin:network_vpc_create"),
        {"tenant": tenant.pk, "cloud": cloud.pk, "name": "prod", "cidr": "10.10.0.0/24"},
    )
    made = Network.objects.get(name="prod")
    assert answer["Location"] == reverse("admin:network_vpc_change", args=[made.pk])
    return made


@pytest.fixture
def router(admin_client, identity, tenant, cloud, external_network):
    data = {"tenant": tenant.pk, "cloud": cloud.pk, "name": "edge"}
    post(admin_client, reverse("admin:network_router_create"), data)
    return Router.objects.get(name="edge")


def test_create_a_vpc_and_see_its_page(admin_client, vpc, cloud):
    assert (vpc.state, vpc.backend_id is not None) == ("ready", True)
    page = admin_client.get(reverse("admin:network_vpc_change", args=[vpc.pk]))
    content = page.content.decode()
    assert "10.10.0.0/24" in content
    assert 'class="task-progress"' in content  # the latest Task, kept live by tasks.js
    assert reverse("admin:network_vpc_add_subnet", args=[vpc.pk]) in content


def test_a_refused_vpc_is_shown_on_the_form(admin_client, identity, tenant, cloud):
    data = {"tenant": tenant.pk, "cloud": cloud.pk, "name": "x", "cidr": "10.0.0.0/30"}
    page = post(admin_client, reverse("admin:network_vpc_create"), data, expect=200)
    assert "too small" in page.content.decode()
    assert not Network.objects.exists()


def test_edit_add_and_remove_a_subnet_and_delete(admin_client, vpc, cloud):
    post(admin_client, reverse("admin:network_vpc_edit", args=[vpc.pk]), {"name": "live"})
    assert SimulatedObject.objects.get(kind="network").name == "live"
    add = reverse("admin:network_vpc_add_subnet", args=[vpc.pk])
    post(admin_client, add, {"cidr": "10.20.0.0/24"})
    page = post(admin_client, add, {"cidr": "10.20.0.0/25"}, expect=200)
    assert "overlaps" in page.content.decode()
    added = Subnet.objects.get(cidr="10.20.0.0/24")
    remove = reverse("admin:network_vpc_remove_subnet", args=[vpc.pk, added.pk])
    assert admin_client.get(remove).status_code == 200  # asks first
    post(admin_client, remove)
    assert list(Subnet.objects.values_list("cidr", flat=True)) == ["10.10.0.0/24"]
    answer = post(admin_client, reverse("admin:network_vpc_delete_in_cloud", args=[vpc.pk]))
    assert answer["Location"] == reverse("admin:network_vpc_changelist")
    assert not Network.objects.exists()


def test_the_vpc_list_searches_filters_and_costs_constant_queries(
    admin_client, vpc, cloud, tenant, identity, django_assert_max_num_queries
):
    NetworkFactory(cloud=cloud, name="shared-net")  # not a VPC: not listed
    for number in range(20):
        other = NetworkFactory(cloud=cloud, tenant=tenant, name=f"v{number}")
        Subnet.objects.create(cloud=cloud, network=other, cidr=f"10.{number + 100}.0.0/24")
    url = reverse("admin:network_vpc_changelist")
    with django_assert_max_num_queries(16):
        page = admin_client.get(url)
    assert page.context["cl"].result_count == 21
    found = admin_client.get(url, {"q": "10.10.0.0/24"}).context["cl"].result_list
    assert list(found) == [vpc]
    assert admin_client.get(url, {"state__exact": "failed"}).context["cl"].result_count == 0


def test_rename_a_router(admin_client, router, cloud):
    post(admin_client, reverse("admin:network_router_edit", args=[router.pk]), {"name": "core"})
    router.refresh_from_db()
    assert router.name == "core"
    assert SimulatedObject.objects.get(kind="router").name == "core"


def test_a_router_with_gateway_interface_and_route(
    admin_client, router, vpc, external_network, cloud
):
    gateway = reverse("admin:network_router_gateway", args=[router.pk])
    post(admin_client, gateway, {"external_network": external_network.id})
    subnet = vpc.subnets.get()
    post(
        admin_client,
        reverse("admin:network_router_add_interface", args=[router.pk]),
        {"subnet": subnet.pk},
    )
    add_route = reverse("admin:network_router_add_route", args=[router.pk])
    page = post(
        admin_client, add_route, {"destination": "172.16.0.0/16", "nexthop": "9.9.9.9"}, expect=200
    )
    assert "none of the router" in page.content.decode()
    post(admin_client, add_route, {"destination": "172.16.0.0/16", "nexthop": "10.10.0.5"})
    router.refresh_from_db()
    assert router.external_network_id == external_network.id
    assert router.routes == [{"destination": "172.16.0.0/16", "nexthop": "10.10.0.5"}]
    assert RouterInterface.objects.filter(router=router, subnet=subnet).exists()
    content = admin_client.get(
        reverse("admin:network_router_change", args=[router.pk])
    ).content.decode()
    assert "172.16.0.0/16" in content
    assert "10.10.0.0/24" in content
    remove_route = reverse("admin:network_router_remove_route", args=[router.pk])
    post(admin_client, f"{remove_route}?destination=172.16.0.0/16&nexthop=10.10.0.5")
    remove = reverse("admin:network_router_remove_interface", args=[router.pk, subnet.pk])
    post(admin_client, remove)
    post(admin_client, reverse("admin:network_router_clear_gateway", args=[router.pk]))
    router.refresh_from_db()
    assert (router.external_network_id, router.routes, router.interfaces.count()) == ("", [], 0)
    post(admin_client, reverse("admin:network_router_delete_in_cloud", args=[router.pk]))
    assert not Router.objects.exists()


def test_the_router_list_costs_constant_queries(
    admin_client, router, vpc, cloud, tenant, django_assert_max_num_queries
):
    subnet = vpc.subnets.get()
    for number in range(20):
        other = Router.objects.create(cloud=cloud, tenant=tenant, name=f"r{number}")
        RouterInterface.objects.create(router=other, subnet=subnet)
    url = reverse("admin:network_router_changelist")
    with django_assert_max_num_queries(16):
        page = admin_client.get(url)
    assert page.context["cl"].result_count == 21
    assert list(admin_client.get(url, {"q": "edge"}).context["cl"].result_list) == [router]
