"""Page blobs against the real Azurite blob service (scripts/azurite): VHD uploads with
constant memory, reading back pages and footer, snapshot, copy, delete, and Azure's
refusals as CloudErrors."""

import io

import pytest

from portal.clouds.azure import vhd
from portal.clouds.azure.blobs import MIB, PAGE_CHUNK, PageBlobs
from portal.clouds.azure.session import AzureSession
from portal.clouds.errors import CloudBadRequest, CloudNotFound, CloudUnavailable

pytestmark = pytest.mark.azurite


def pattern(size: int) -> bytes:
    """`size` bytes no two 4 MiB chunks of which are alike, none all zeros."""
    return bytes((i * 7 + i // 4093) % 251 + 1 for i in range(size))


class Trickle(io.RawIOBase):
    """A stream that gives at most `most` bytes a read, like a socket, and counts the
    largest read asked of it."""

    def __init__(self, data: bytes, most: int = 65536):
        self._data, self._most, self.largest_read = io.BytesIO(data), most, 0

    def read(self, amount=-1):
        self.largest_read = max(self.largest_read, amount)
        return self._data.read(min(amount, self._most))


def test_a_raw_disk_becomes_a_fixed_vhd_of_whole_mib(page_blobs):
    raw = pattern(9 * MIB + 1000)  # two full chunks, a partial one, a partial sector
    sent = []
    stream = Trickle(raw)

    record = page_blobs.upload_disk("disk.vhd", stream, len(raw), {"name": "d"}, sent.append)

    assert record.size == 10 * MIB + 512
    assert record.metadata == {"name": "d"}
    assert sent == [PAGE_CHUNK, 2 * PAGE_CHUNK, len(raw)]
    assert stream.largest_read <= PAGE_CHUNK  # constant memory: one chunk at a time
    assert page_blobs.read("disk.vhd", 0, len(raw)) == raw
    assert page_blobs.read("disk.vhd", len(raw), 10 * MIB - len(raw)) == bytes(10 * MIB - len(raw))
    footer = vhd.parse(page_blobs.read("disk.vhd", 10 * MIB, 512))
    assert (footer.current_size, footer.is_fixed) == (10 * MIB, True)


def test_pages_of_zeros_are_not_sent(page_blobs):
    raw = bytes(PAGE_CHUNK) + pattern(MIB)

    page_blobs.upload_disk("sparse.vhd", io.BytesIO(raw), len(raw), {})

    ranges = page_blobs._blob("sparse.vhd").list_page_ranges()
    assert [(r.start, r.end) for r in ranges] == [
        (PAGE_CHUNK, PAGE_CHUNK + MIB - 1),
        (PAGE_CHUNK + MIB, PAGE_CHUNK + MIB + 511),  # the footer
    ]
    assert page_blobs.read("sparse.vhd", 0, len(raw)) == raw


def test_a_fixed_vhd_is_stored_as_it_is(page_blobs):
    vhd_bytes = pattern(2 * MIB) + vhd.fixed_footer(2 * MIB)

    record = page_blobs.upload_vhd("given.vhd", io.BytesIO(vhd_bytes), len(vhd_bytes), {})

    assert record.size == len(vhd_bytes)
    assert page_blobs.read("given.vhd", 0, len(vhd_bytes)) == vhd_bytes


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (pattern(2 * MIB + 512), "does not end in a VHD footer"),
        (pattern(2 * MIB) + vhd.Footer(2 * MIB, disk_type=3).to_bytes(), "fixed-size"),
        (pattern(2 * MIB) + vhd.fixed_footer(MIB), "whole number of MiB"),
        (pattern(MIB + 512) + vhd.fixed_footer(MIB + 512), "whole number of MiB"),
    ],
)
def test_a_vhd_azure_would_not_attach_is_refused_and_the_blob_left_empty(page_blobs, body, reason):
    page_blobs.create("bad.vhd", 0, {"status": "queued"})

    with pytest.raises(CloudBadRequest, match=reason):
        page_blobs.upload_vhd("bad.vhd", io.BytesIO(body), len(body), {"status": "queued"})

    record = page_blobs.properties("bad.vhd")
    assert (record.size, record.metadata) == (0, {"status": "queued"})


def test_data_shorter_than_announced_is_refused(page_blobs):
    with pytest.raises(CloudBadRequest, match="ended after 1048576 of 2097152 bytes"):
        page_blobs.upload_disk("short.vhd", io.BytesIO(pattern(MIB)), 2 * MIB, {})
    with pytest.raises(CloudBadRequest, match="0 bytes"):
        page_blobs.upload_disk("empty.vhd", io.BytesIO(b""), 0, {})


def test_a_snapshot_keeps_the_pages_of_its_time(page_blobs):
    raw = pattern(MIB)
    page_blobs.upload_disk("disk.vhd", io.BytesIO(raw), len(raw), {"name": "d"})

    snapshot = page_blobs.snapshot("disk.vhd")
    page_blobs._blob("disk.vhd").upload_page(bytes(512), offset=0, length=512)

    assert snapshot.snapshot
    assert (snapshot.size, snapshot.metadata) == (MIB + 512, {"name": "d"})
    assert page_blobs.read("disk.vhd", 0, 512, snapshot=snapshot.snapshot) == raw[:512]
    assert page_blobs.read("disk.vhd", 0, 512) == bytes(512)


def test_a_copy_of_a_snapshot_is_a_new_blob_with_its_data(page_blobs):
    raw = pattern(MIB + 3)
    page_blobs.upload_disk("disk.vhd", io.BytesIO(raw), len(raw), {})
    snapshot = page_blobs.snapshot("disk.vhd")

    copy = page_blobs.copy("disk.vhd", "backup.vhd", snapshot=snapshot.snapshot)

    assert (copy.name, copy.copy_status, copy.size) == ("backup.vhd", "success", 2 * MIB + 512)
    assert page_blobs.read("backup.vhd", 0, len(raw)) == raw
    assert vhd.parse(page_blobs.read("backup.vhd", 2 * MIB, 512)).current_size == 2 * MIB


def test_delete_removes_the_blob_with_its_snapshots(page_blobs):
    page_blobs.create("disk.vhd", MIB, {})
    snapshot = page_blobs.snapshot("disk.vhd")

    page_blobs.delete("disk.vhd")

    assert list(page_blobs.container.list_blobs(include=["snapshots"])) == []
    with pytest.raises(CloudNotFound):
        page_blobs.properties("disk.vhd", snapshot=snapshot.snapshot)
    with pytest.raises(CloudNotFound):
        page_blobs.delete("disk.vhd")
    page_blobs.delete("disk.vhd", missing_ok=True)


def test_a_missing_blob_or_container_is_not_found(page_blobs, azurite_cloud):
    with pytest.raises(CloudNotFound):
        page_blobs.properties("nothing.vhd")
    with pytest.raises(CloudNotFound):
        page_blobs.copy("nothing.vhd", "copy.vhd")
    elsewhere = PageBlobs(AzureSession(azurite_cloud), "no-such-container")
    with pytest.raises(CloudNotFound):
        elsewhere.create("disk.vhd", MIB, {})


def test_listing_gives_each_blob_with_its_metadata(page_blobs):
    page_blobs.create("a.vhd", 0, {"name": "first"})
    page_blobs.create("b.vhd", MIB, {"name": "second"})

    listed = {record.name: (record.size, record.metadata) for record in page_blobs.iter_blobs()}

    assert listed == {"a.vhd": (0, {"name": "first"}), "b.vhd": (MIB, {"name": "second"})}


def test_azurite_stopped_is_unavailable(azurite_cloud, azurite_stopped):
    # Not retried: the storage SDK's backoff would wait some 80 s before giving up.
    azurite_cloud.options["azure_retry_total"] = 0
    blobs = PageBlobs(AzureSession(azurite_cloud), "anything")

    with pytest.raises(CloudUnavailable):
        blobs.properties("disk.vhd")
