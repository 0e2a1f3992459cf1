"""Each step of the "Create server" wizard reads its options in a constant number of
queries, however many images, templates, flavors, networks, groups and key pairs the
tenant has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.images.tests.factories import ImageFactory
from portal.network.tests.factories import (
    AvailabilityZoneFactory,
    NetworkFactory,
    SecurityGroupFactory,
)
from portal.servers.tests.factories import FlavorFactory, KeyPairFactory, ServerTemplateFactory
from portal.servers.tests.wizard import post_step, start, step_shown
from portal.tenants.quotas import quota_of

pytestmark = pytest.mark.django_db


def queries_per_step(client, tenant, catalog) -> list[int]:
    """The queries of each step's page, walking the wizard with the demo choices."""
    posts = [
        ("source", {"tenant": tenant.pk, "instance_name": "x",
                    "source": f"image:{catalog['images']['cirros-0.6.2']}"}),
        ("flavor", {"flavor": catalog["flavor_rows"]["m1.small"].pk}),
        ("network", {"network_uuid": catalog["network_id"]}),
        ("access", {}),
        ("advanced", {}),
    ]  # fmt: skip
    counts = []
    with CaptureQueriesContext(connection) as queries:
        start(client, tenant)
    counts.append(len(queries))
    for step, fields in posts:
        with CaptureQueriesContext(connection) as queries:
            response = post_step(client, step, **fields)
        assert step_shown(response) != step, response.context["form"].errors
        counts.append(len(queries))
    return counts


def more_of_everything(cloud, tenant, identity, catalog, count):
    for number in range(count):
        image = ImageFactory(cloud=cloud, name=f"more-{number}")
        ServerTemplateFactory(image=image, flavor=catalog["flavor_rows"]["m1.small"])
        FlavorFactory(cloud=cloud)
        NetworkFactory(cloud=cloud, project_id=identity.project_id)
        SecurityGroupFactory(cloud=cloud, project_id=identity.project_id)
        KeyPairFactory(tenant=tenant, cloud=cloud)
        AvailabilityZoneFactory(cloud=cloud)


def test_every_step_reads_its_options_in_constant_queries(
    admin_client, catalog, tenant, identity, cloud
):
    quota_of(tenant)  # made on first use: not a query of every page
    more_of_everything(cloud, tenant, identity, catalog, 2)
    few = queries_per_step(admin_client, tenant, catalog)
    more_of_everything(cloud, tenant, identity, catalog, 12)
    many = queries_per_step(admin_client, tenant, catalog)
    assert many == few
