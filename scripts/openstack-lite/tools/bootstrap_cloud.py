"""Register what the OpenStack-lite services need in Keystone and the cloud (idempotent).

Run by `up` with the harness venv's python, OS_CLIENT_CONFIG_FILE pointing at the harness
clouds.yaml (cloud 'oslite-admin', created by `keystone-manage bootstrap`):

  bootstrap_cloud.py catalog    service project, roles, service users (password from
                                $SERVICE_PASSWORD), services + endpoints. Before the other
                                services start: nova-compute needs its placement user at once.
  bootstrap_cloud.py plumbing   cloud plumbing every test needs, after all services answer:
                                the default volume type 'standard' (cinder.conf
                                default_volume_type) on the fake backend; then waits until
                                the Cinder scheduler knows that backend (else volume
                                creation fails with "No valid backend").

  bootstrap_cloud.py manila-catalog   the manila user and the share / sharev2 endpoints
                                (Manila has a venv of its own and starts after the rest).
  bootstrap_cloud.py manila-plumbing  the default share type (driver_handles_share_servers,
                                manila.conf default_share_type), then waits until the
                                Manila scheduler knows the dummy backend's pool.

Only services that actually run get catalog entries: Nova calls Cinder during resize/delete
when a volume service is in the catalog, and would fail against one that is not running.
"""

import os
import sys
import time

import openstack

REGION = "RegionOne"
# keystone user, service name, service type, endpoint URL
SERVICES = [
    ("glance", "glance", "image", "http://127.0.0.1:9292"),
    ("placement", "placement", "placement", "http://127.0.0.1:8778"),
    ("nova", "nova", "compute", "http://127.0.0.1:8774/v2.1"),
    ("neutron", "neutron", "network", "http://127.0.0.1:9696"),
    ("cinder", "cinderv3", "block-storage", "http://127.0.0.1:8776/v3"),
    # Nova looks Cinder up as 'volumev3' ([cinder] catalog_info), SDKs as 'block-storage'.
    ("cinder", "cinder", "volumev3", "http://127.0.0.1:8776/v3"),
]
MANILA_SERVICES = [
    ("manila", "manila", "share", "http://127.0.0.1:8786/v1/%(project_id)s"),
    ("manila", "manilav2", "sharev2", "http://127.0.0.1:8786/v2"),
]
SHARE_TYPE = "default"
# the API version of Manila 2023.2+ (share network subnets' metadata, ...): enough for all we use
MANILA_MICROVERSION = "2.78"
VOLUME_TYPE = "standard"
VOLUME_BACKEND = "fake"
POOL_WAIT = 150  # seconds; cinder-volume re-announces its backend every 60-120 s at worst


def connect():
    return openstack.connect(cloud=os.environ.get("OS_CLOUD", "oslite-admin"))


def catalog(conn, services=SERVICES):
    ident = conn.identity
    password = os.environ["SERVICE_PASSWORD"]
    project = ident.find_project("service", domain_id="default") or ident.create_project(
        name="service", domain_id="default", description="OpenStack-lite service users"
    )
    roles = {}
    for name in ("admin", "member", "reader", "service"):
        roles[name] = ident.find_role(name) or ident.create_role(name=name)
    for user_name, svc_name, svc_type, url in services:
        user = ident.find_user(user_name, domain_id="default")
        if user is None:
            user = ident.create_user(
                name=user_name,
                password=password,
                domain_id="default",
                default_project_id=project.id,
            )
        else:  # a rerun after the password was regenerated
            ident.update_user(user, password=password)
        for role in ("admin", "service"):
            ident.assign_project_role_to_user(project, user, roles[role])
        service = ident.find_service(svc_name) or ident.create_service(name=svc_name, type=svc_type)
        have = {e.interface: e for e in ident.endpoints(service_id=service.id)}
        for interface in ("public", "internal", "admin"):
            if interface not in have:
                ident.create_endpoint(
                    service_id=service.id, interface=interface, url=url, region_id=REGION
                )
            elif have[interface].url != url:
                ident.update_endpoint(have[interface], url=url)
    print("catalog: registered", ", ".join(s[2] for s in services))


def plumbing(conn):
    vtype = conn.block_storage.find_type(VOLUME_TYPE)
    if vtype is None:
        vtype = conn.block_storage.create_type(
            name=VOLUME_TYPE,
            description="OpenStack-lite default (fake backend)",
            extra_specs={"volume_backend_name": VOLUME_BACKEND},
        )
    print("plumbing: volume type", vtype.name, vtype.id)
    deadline = time.monotonic() + POOL_WAIT
    while True:
        pools = [p.name for p in conn.block_storage.backend_pools()]
        if pools:
            break
        if time.monotonic() > deadline:
            sys.exit(f"plumbing: the Cinder scheduler knows no backend after {POOL_WAIT} s")
        time.sleep(1)
    print("plumbing: cinder pools", pools)


def manila_catalog(conn):
    catalog(conn, MANILA_SERVICES)


def manila_plumbing(conn):
    api = conn.shared_file_system
    headers = {"OpenStack-API-Version": f"share {MANILA_MICROVERSION}"}
    types = api.get("/types", headers=headers).json()["share_types"]
    if not any(t["name"] == SHARE_TYPE for t in types):
        api.post(
            "/types",
            headers=headers,
            json={
                "share_type": {
                    "name": SHARE_TYPE,
                    "extra_specs": {"driver_handles_share_servers": True},
                }
            },
        ).raise_for_status()
    print("plumbing: share type", SHARE_TYPE)
    deadline = time.monotonic() + POOL_WAIT
    while True:
        answer = api.get("/scheduler-stats/pools", headers=headers).json()
        pools = [pool["name"] for pool in answer["pools"]]
        if pools:
            break
        if time.monotonic() > deadline:
            sys.exit(f"plumbing: the Manila scheduler knows no backend after {POOL_WAIT} s")
        time.sleep(1)
    print("plumbing: manila pools", pools)


COMMANDS = {
    "catalog": catalog,
    "plumbing": plumbing,
    "manila-catalog": manila_catalog,
    "manila-plumbing": manila_plumbing,
}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](connect())
