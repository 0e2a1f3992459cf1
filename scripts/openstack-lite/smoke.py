#!/usr/bin/env python3
"""Smoke check of the OpenStack-lite cloud (scripts/openstack-lite/up), ~20-40 s.

Network + subnet, a tiny raw image, a private flavor, boot a server on the network (fake virt
driver), wait ACTIVE, create a volume, attach it, detach it; a Manila share network on the
subnet and an NFS share on it (a share server with two ports in the subnet), an access
rule; then delete everything it created, also when a step fails. Every name carries a
random suffix, so runs never collide and it can be rerun any time.

    ~/.cache/portal-oslite/venv/bin/python scripts/openstack-lite/smoke.py

Any python with openstacksdk works. The cloud comes from $OS_CLIENT_CONFIG_FILE (default
~/.cache/portal-oslite/clouds.yaml) and $OS_CLOUD (default oslite-admin). Exit code 0 = OK.
"""

import io
import os
import sys
import time
import uuid

import openstack

DEADLINE = 150  # seconds for the whole run before giving up (normally < 45 s)
MANILA_VERSION = {"microversion": "2.65"}  # the SDK's share reads ask for none (2.0)
IMAGE_BYTES = 1024 * 1024

os.environ.setdefault(
    "OS_CLIENT_CONFIG_FILE", os.path.expanduser("~/.cache/portal-oslite/clouds.yaml")
)


class Smoke:
    def __init__(self):
        self.conn = openstack.connect(cloud=os.environ.get("OS_CLOUD", "oslite-admin"))
        self.name = "oslite-smoke-" + uuid.uuid4().hex[:8]
        self.t0 = self.t_step = time.monotonic()
        self.cleanups = []  # (description, callable), run in reverse order

    def step(self, what):
        now = time.monotonic()
        print(f"  {what:<52} {now - self.t_step:5.1f}s", flush=True)
        self.t_step = now

    def wait(self, what, check, timeout=60):
        """Poll check() until it returns a truthy value; it may raise to fail fast."""
        end = min(time.monotonic() + timeout, self.t0 + DEADLINE)
        while time.monotonic() < end:
            result = check()
            if result:
                return result
            time.sleep(0.5)
        raise TimeoutError("timed out waiting for " + what)

    def server_settled(self, server, status):
        s = self.conn.compute.get_server(server)
        if s.status == "ERROR":
            raise RuntimeError(f"server {s.id} went to ERROR: {s.fault}")
        # status alone is not enough: after some actions it stays ACTIVE while task_state
        # is still set, and the next action would get 409 Conflict
        return s if s.status == status and s.task_state is None else None

    def volume_status(self, volume, status):
        v = self.conn.block_storage.get_volume(volume)
        if v.status in ("error", "error_attaching", "error_detaching"):
            raise RuntimeError(f"volume {v.id} went to {v.status}")
        return v if v.status == status else None

    def share_status(self, share_id):
        share = self.conn.shared_file_system.get(f"/shares/{share_id}", **MANILA_VERSION)
        status = share.json()["share"]["status"]
        if status.startswith("error"):
            raise RuntimeError(f"share {share_id} went to {status}")
        return status

    def gone(self, get, object_id):
        try:
            get(object_id)
        except openstack.exceptions.NotFoundException:
            return True
        return False

    def deleted_network(self, net):
        try:
            self.conn.network.delete_network(net, ignore_missing=True)
        except openstack.exceptions.ConflictException:
            return False
        return True

    def run(self):
        c = self.conn
        print(f"smoke check as {self.name} on {c.auth['auth_url']}", flush=True)

        net = c.network.create_network(name=self.name)

        def delete_network():
            # Manila releases its share server's ports a moment after the share network.
            self.wait("network deleted", lambda: self.deleted_network(net), timeout=60)

        self.cleanups.append(("network", delete_network))
        subnet = c.network.create_subnet(
            name=self.name, network_id=net.id, ip_version=4, cidr="10.254.254.0/24"
        )
        self.step(f"network + subnet {subnet.cidr}")

        image = c.image.create_image(
            name=self.name,
            disk_format="raw",
            container_format="bare",
            data=io.BytesIO(b"\0" * IMAGE_BYTES),
            visibility="private",
            allow_duplicates=True,
            wait=True,
            timeout=60,
        )
        self.cleanups.append(("image", lambda: c.image.delete_image(image, ignore_missing=True)))
        self.step(f"image {image.id} ({c.image.get_image(image).status})")

        flavor = c.compute.create_flavor(name=self.name, ram=64, vcpus=1, disk=1, is_public=False)
        self.cleanups.append(
            ("flavor", lambda: c.compute.delete_flavor(flavor, ignore_missing=True))
        )
        c.compute.flavor_add_tenant_access(flavor, c.current_project_id)
        self.step(f"flavor {flavor.name} (private)")

        server = c.compute.create_server(
            name=self.name, flavor_id=flavor.id, image_id=image.id, networks=[{"uuid": net.id}]
        )

        def delete_server():
            c.compute.delete_server(server, ignore_missing=True)
            c.compute.wait_for_delete(server, interval=0.5, wait=60)

        self.cleanups.append(("server", delete_server))
        server = self.wait("server ACTIVE", lambda: self.server_settled(server, "ACTIVE"))
        self.step(f"server ACTIVE on {server.compute_host}, {server.addresses}")

        volume = c.block_storage.create_volume(name=self.name, size=1)

        def delete_volume():
            c.block_storage.delete_volume(volume, ignore_missing=True)
            c.block_storage.wait_for_delete(volume, interval=0.5, wait=60)

        self.cleanups.append(("volume", delete_volume))
        volume = self.wait("volume available", lambda: self.volume_status(volume, "available"))
        self.step(f"volume {volume.id} (type {volume.volume_type})")

        c.compute.create_volume_attachment(server, volume_id=volume.id)
        volume = self.wait("volume in-use", lambda: self.volume_status(volume, "in-use"))
        self.step("attached at %s" % [a.get("device") for a in volume.attachments])

        c.compute.delete_volume_attachment(server, volume.id)
        self.wait("volume available", lambda: self.volume_status(volume, "available"))
        self.wait("server settled", lambda: self.server_settled(server, "ACTIVE"))
        self.step("detached")

        sfs = c.shared_file_system
        share_net = sfs.create_share_network(
            name=self.name, neutron_net_id=net.id, neutron_subnet_id=subnet.id
        )

        def delete_share_network():
            sfs.delete_share_network(share_net, ignore_missing=True)
            self.wait(
                "share network deleted", lambda: self.gone(sfs.get_share_network, share_net.id)
            )

        self.cleanups.append(("share network", delete_share_network))
        share = sfs.create_share(
            name=self.name, share_proto="NFS", size=1, share_network_id=share_net.id
        )

        def delete_share():
            self.wait("share settled", lambda: self.share_status(share.id) != "creating")
            sfs.delete_share(share, ignore_missing=True)
            self.wait("share deleted", lambda: self.gone(sfs.get_share, share.id))

        self.cleanups.append(("share", delete_share))
        self.wait("share available", lambda: self.share_status(share.id) == "available")
        paths = sfs.get(f"/shares/{share.id}/export_locations", **MANILA_VERSION).json()
        self.step("share available at %s" % [e["path"] for e in paths["export_locations"]])
        rule = sfs.create_access_rule(share.id, access_type="ip", access_to="10.254.254.0/24")
        self.wait("rule active", lambda: sfs.get_access_rule(rule.id).state == "active")
        self.step(f"access rule {rule.access_to} active")

    def cleanup(self):
        ok = True
        # Reverse creation order: the server before its network/image/flavor, the volume
        # (detached or not) before the server it might still hang on.
        for what, fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as exc:  # keep cleaning up the rest
                ok = False
                print(f"  cleanup of {what} failed: {exc}", file=sys.stderr)
        self.step("deleted {}".format(", ".join(w for w, _ in reversed(self.cleanups))))
        return ok


def main():
    smoke = Smoke()
    ok = False
    try:
        smoke.run()
        ok = True
    except Exception as exc:
        print(f"SMOKE FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        clean = smoke.cleanup()
    total = time.monotonic() - smoke.t0
    if ok and clean:
        print(f"smoke OK in {total:.1f}s")
        return 0
    print("smoke FAILED after {:.1f}s{}".format(total, "" if clean else " (cleanup incomplete)"))
    return 1


if __name__ == "__main__":
    sys.exit(main())
