"""Image files and upload calls the upload tests share."""

import os

from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.service import Kind

ISO_DESCRIPTOR_OFFSET = 0x8001


def qcow2_bytes(size=256 * 1024):
    return b"QFI\xfb" + os.urandom(size - 4)


def iso_bytes(size=64 * 1024):
    data = bytearray(os.urandom(size))
    data[ISO_DESCRIPTOR_OFFSET : ISO_DESCRIPTOR_OFFSET + 5] = b"CD001"
    return bytes(data)


def vhd_bytes(size=8 * 1024):
    return os.urandom(size - 512) + b"conectix" + bytes(504)


def vmdk_bytes(size=8 * 1024):
    return b"KDMV" + os.urandom(size - 4)


METADATA = {
    "image_name": "ubuntu-24.04",
    "image_diskformat": "qcow2",
    "image_containerformat": "bare",
    "min_disk": 10,
    "min_ram": 512,
    "os_type": "linux",
    "os_version": "24.04",
    "description": "Ubuntu server",
}


def create_image(client, **changes):
    response = client.post("/api/v1/images", {**METADATA, **changes}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def put_file(client, image_id, data, content_range=None, query=""):
    headers = {"HTTP_CONTENT_RANGE": content_range} if content_range else {}
    return client.generic(
        "PUT", f"/api/v1/images/{image_id}/file{query}", data,
        content_type="application/octet-stream", **headers,
    )  # fmt: skip


def cloud_images(cloud):
    return SimulatedObject.objects.filter(cloud=cloud, kind=Kind.IMAGE)


def staged_files(media_root):
    root = media_root / "image-staging"
    return sorted(str(path) for path in root.rglob("*") if path.is_file()) if root.exists() else []
