"""The simulator's Neutron routers: gateway, interfaces and the route table, with
Neutron's refusals."""

import pytest

from portal.clouds import errors
from portal.clouds.base_network import RouteEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def public(admin):
    network = admin.network.create_network("public", external=True)
    admin.network.create_subnet(network.id, "203.0.113.0/24")
    return network


@pytest.fixture
def subnet(alpha):
    network = alpha.network.create_network("private")
    return alpha.network.create_subnet(network.id, "10.1.0.0/24")


@pytest.fixture
def router(alpha, subnet):
    made = alpha.network.create_router("edge")
    alpha.network.add_router_interface(made.id, subnet.id)
    return made


def test_gateway_set_and_cleared(alpha, router, public):
    assert alpha.network.set_router_gateway(router.id, public.id).external_network_id == public.id
    assert alpha.network.set_router_gateway(router.id, "").external_network_id == ""
    assert [r.external_network_id for r in alpha.network.list_routers()] == [""]


def test_a_gateway_on_a_network_that_is_not_external_is_400(alpha, router, subnet):
    with pytest.raises(errors.CloudBadRequest):
        alpha.network.set_router_gateway(router.id, subnet.network_id)


def test_routes_need_a_connected_next_hop(alpha, router):
    entry = RouteEntry("172.16.0.0/16", "10.1.0.9")
    assert alpha.network.set_router_routes(router.id, [entry]).routes == [entry]
    with pytest.raises(errors.CloudBadRequest):
        alpha.network.set_router_routes(router.id, [RouteEntry("172.16.0.0/16", "10.2.0.9")])
    with pytest.raises(errors.CloudBadRequest):
        alpha.network.set_router_routes(router.id, [RouteEntry("172.16.0.1/16", "10.1.0.9")])
    assert alpha.network.get_router(router.id).routes == [entry]


def test_an_interface_a_route_needs_is_409(alpha, router, subnet):
    alpha.network.set_router_routes(router.id, [RouteEntry("172.16.0.0/16", "10.1.0.9")])
    with pytest.raises(errors.CloudConflict):
        alpha.network.remove_router_interface(router.id, subnet.id)
    alpha.network.set_router_routes(router.id, [])
    alpha.network.remove_router_interface(router.id, subnet.id)
    assert alpha.network.get_router(router.id).subnet_ids == []


def test_a_subnet_or_network_with_a_router_interface_is_409(alpha, router, subnet):
    with pytest.raises(errors.CloudConflict):
        alpha.network.delete_subnet(subnet.id)
    with pytest.raises(errors.CloudConflict):
        alpha.network.delete_network(subnet.network_id)


def test_another_projects_router_is_not_found(alpha, beta, router):
    with pytest.raises(errors.CloudNotFound):
        beta.network.set_router_routes(router.id, [])
    assert beta.network.list_routers() == []
    assert [r.id for r in alpha.network.list_routers()] == [router.id]


def test_list_subnets_sees_the_projects_own(alpha, beta, subnet):
    assert [s.id for s in alpha.network.list_subnets()] == [subnet.id]
    assert beta.network.list_subnets() == []
