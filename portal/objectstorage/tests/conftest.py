"""Fixtures of the object-storage tests: the default cloud's region with a simulated
object store, and the simulator's driver to look at what it holds."""

import pytest

from portal.clouds.simulator.object_storage import SimulatedObjectStorage
from portal.objectstorage.models import ObjectStore


@pytest.fixture
def store(cloud):
    return ObjectStore.objects.create(
        name="ceph-one",
        cloud=cloud,
        kind=ObjectStore.Kind.SIMULATOR,
        admin_url="http://rgw.region-one.example:7480",
        s3_url="http://s3.region-one.example",
        access_key="ADMINKEY",
        secret_key="admin-secret",
        default_max_size_in_g=50,
        default_max_objects=1000,
    )


@pytest.fixture
def rgw(store):
    """What the simulated RGW holds."""
    return SimulatedObjectStorage(store)


@pytest.fixture
def create_body():
    def body(**changes):
        return {"bucket_name": "photos", **changes}

    return body
