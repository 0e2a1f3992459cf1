"""Demo seeding: what a fresh demo cloud holds, and that seeding twice changes nothing."""

from portal.clouds.simulator.demo import seed_demo_cloud
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.testing import boot_spec, make_tenant


def test_demo_cloud_content(cloud):
    seeded = seed_demo_cloud(cloud)
    admin = SimulatorDriver(cloud)

    flavors = {f.name: (f.vcpus, f.ram, f.disk, f.is_public) for f in admin.compute.list_flavors()}
    assert flavors == {
        "m1.small": (1, 2048, 20, True),
        "m1.medium": (2, 4096, 40, True),
        "m1.large": (4, 8192, 80, True),
    }
    images = {image.name: image for image in admin.images.iter_images()}
    assert set(images) == {"cirros-0.6.2", "ubuntu-24.04"}
    ubuntu = images["ubuntu-24.04"]
    assert (ubuntu.disk_format, ubuntu.properties["os_distro"]) == ("qcow2", "ubuntu")
    assert ubuntu.size > 0
    assert len(ubuntu.checksum) == 32
    network = admin.network.get_network(seeded["network_id"])
    assert (network.name, network.is_shared) == ("default-net", True)
    assert network.subnet_ids == [seeded["subnet_id"]]
    group = admin.network.get_security_group(seeded["security_group_id"])
    assert group.name == "default"
    assert {(r.protocol, r.port_range_min) for r in group.rules if r.direction == "ingress"} == {
        ("tcp", 22),
        ("icmp", None),
    }


def test_seeding_twice_changes_nothing(cloud):
    first = seed_demo_cloud(cloud)
    count = SimulatedObject.objects.filter(cloud=cloud).count()

    assert seed_demo_cloud(cloud) == first
    assert SimulatedObject.objects.filter(cloud=cloud).count() == count


def test_a_tenant_can_boot_on_the_demo_cloud(cloud):
    tenant = SimulatorDriver(cloud, make_tenant(cloud, "alpha"))

    server = tenant.compute.create_server(boot_spec(cloud))

    assert server.status == "ACTIVE"
    assert server.addresses["default-net"] == ["10.0.0.2"]
