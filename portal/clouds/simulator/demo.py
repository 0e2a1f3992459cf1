"""Demo content for a simulator cloud: flavors, images, a shared network, a security group.

`seed_demo_cloud(cloud)` is called by the project's demo loader. It goes through the
admin-scope driver like any other client, and finds what it made before by name, so
running it again changes nothing.
"""

import contextlib
import hashlib
from dataclasses import dataclass, field

from portal.clouds.base_network import SecurityGroupRuleSpec
from portal.clouds.errors import CloudConflict
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.images import mark_uploaded

DEMO_NETWORK = "default-net"
DEMO_SUBNET = "default-subnet"
DEMO_CIDR = "10.0.0.0/24"
DEFAULT_SECURITY_GROUP = "default"


@dataclass(frozen=True)
class DemoFlavor:
    name: str
    vcpus: int
    ram: int  # MB
    disk: int  # GB


@dataclass(frozen=True)
class DemoImage:
    name: str
    size: int  # bytes, as the real image's
    min_disk: int
    min_ram: int
    properties: dict = field(default_factory=dict)

    @property
    def checksum(self) -> str:
        # The simulator stores no image data; a stable stand-in for the real md5.
        return hashlib.md5(self.name.encode(), usedforsecurity=False).hexdigest()


DEMO_FLAVORS = (
    DemoFlavor("m1.small", 1, 2048, 20),
    DemoFlavor("m1.medium", 2, 4096, 40),
    DemoFlavor("m1.large", 4, 8192, 80),
)
DEMO_IMAGES = (
    DemoImage(
        "cirros-0.6.2",
        size=21_430_272,
        min_disk=1,
        min_ram=0,
        properties={"os_type": "linux", "os_distro": "cirros", "os_version": "0.6.2"},
    ),
    DemoImage(
        "ubuntu-24.04",
        size=599_785_472,
        min_disk=3,
        min_ram=512,
        properties={"os_type": "linux", "os_distro": "ubuntu", "os_version": "24.04"},
    ),
)
# Let people reach demo servers: SSH and ping, from anywhere.
DEMO_INGRESS_RULES = (
    SecurityGroupRuleSpec("ingress", "tcp", 22, 22, "0.0.0.0/0", description="SSH"),
    SecurityGroupRuleSpec("ingress", "icmp", remote_ip_prefix="0.0.0.0/0", description="ping"),
)


def seed_demo_cloud(cloud) -> dict:
    """Create the demo content in `cloud` where missing; return the ids, by name."""
    driver = SimulatorDriver(cloud)
    network_id, subnet_id = _seed_network(driver)
    return {
        "flavors": _seed_flavors(driver),
        "images": _seed_images(driver),
        "network_id": network_id,
        "subnet_id": subnet_id,
        "security_group_id": _seed_security_group(driver),
    }


def _seed_flavors(driver) -> dict[str, str]:
    existing = {flavor.name: flavor.id for flavor in driver.compute.list_flavors()}
    for flavor in DEMO_FLAVORS:
        if flavor.name not in existing:
            created = driver.compute.create_flavor(
                flavor.name, flavor.vcpus, flavor.ram, flavor.disk
            )
            existing[flavor.name] = created.id
    return {flavor.name: existing[flavor.name] for flavor in DEMO_FLAVORS}


def _seed_images(driver) -> dict[str, str]:
    existing = {image.name: image.id for image in driver.images.iter_images(status=None)}
    for image in DEMO_IMAGES:
        if image.name not in existing:
            created = driver.images.create_image(
                image.name,
                "qcow2",
                "bare",
                min_disk=image.min_disk,
                min_ram=image.min_ram,
                properties=image.properties,
            )
            mark_uploaded(created.id, driver.cloud, size=image.size, checksum=image.checksum)
            existing[image.name] = created.id
    return {image.name: existing[image.name] for image in DEMO_IMAGES}


def _seed_network(driver) -> tuple[str, str]:
    network = next((n for n in driver.network.list_networks() if n.name == DEMO_NETWORK), None)
    if network is None:
        network = driver.network.create_network(DEMO_NETWORK, shared=True)
    subnets = network.subnet_ids
    if not subnets:
        subnets = [driver.network.create_subnet(network.id, DEMO_CIDR, name=DEMO_SUBNET).id]
    return network.id, subnets[0]


def _seed_security_group(driver) -> str:
    groups = driver.network.list_security_groups()
    group = next(g for g in groups if g.name == DEFAULT_SECURITY_GROUP)
    for rule in DEMO_INGRESS_RULES:
        with contextlib.suppress(CloudConflict):  # the rule was seeded before
            driver.network.create_security_group_rule(group.id, rule)
    return group.id
