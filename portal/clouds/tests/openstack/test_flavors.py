"""Nova flavors through the driver: extra specs, private flavors and their access list."""

import pytest

from portal.clouds.errors import CloudNotFound
from portal.clouds.tests.openstack.fixtures import RUN

# django_db: pytest-django creates the test database only for runs that hold such a test.
pytestmark = [pytest.mark.openstack, pytest.mark.django_db]


def test_private_flavor_with_extra_specs_and_access(
    openstack_admin, make_openstack_tenant, openstack_cleanup
):
    compute = openstack_admin.compute
    tenant = make_openstack_tenant("flavor-user")
    flavor = compute.create_flavor(
        f"{RUN}-private", 2, 256, 1, is_public=False, extra_specs={"hw:cpu_policy": "shared"}
    )
    openstack_cleanup.add(compute.delete_flavor, flavor.id)
    assert (flavor.vcpus, flavor.ram, flavor.disk, flavor.is_public) == (2, 256, 1, False)
    assert flavor.extra_specs == {"hw:cpu_policy": "shared"}
    listed = {f.id: f for f in compute.list_flavors()}
    assert listed[flavor.id] == flavor
    assert compute.get_flavor(flavor.id) == flavor

    compute.add_flavor_access(flavor.id, tenant.project_id)
    compute.add_flavor_access(flavor.id, tenant.project_id)  # twice: still one entry
    assert compute.list_flavor_access(flavor.id) == [tenant.project_id]
    compute.remove_flavor_access(flavor.id, tenant.project_id)
    assert compute.list_flavor_access(flavor.id) == []

    compute.delete_flavor(flavor.id)
    with pytest.raises(CloudNotFound):
        compute.get_flavor(flavor.id)
