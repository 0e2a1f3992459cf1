"""The magic bytes of disk formats; the ISO rule is the one both the image upload and the
ISO upload apply (portal/images/uploads.py, portal/isos/uploads.py)."""

import pytest

from portal.clouds.formats import ISO_HEAD_BYTES, content_matches, is_iso


def volume(identifier: bytes, sector: int, size: int = 64 * 1024) -> bytes:
    """Zeros with a volume descriptor identifier at its place in `sector` (2 KiB each)."""
    data = bytearray(size)
    offset = 2048 * sector + 1
    data[offset : offset + 5] = identifier
    return bytes(data)


@pytest.mark.parametrize(
    ("identifier", "sector"),
    [
        (b"CD001", 16),
        (b"BEA01", 16),
        # Before the rules were one, the image upload refused these (it looked at sector
        # 16 only, for CD001 and BEA01) while the ISO upload accepted them.
        (b"NSR02", 17),
        (b"NSR03", 18),
        (b"CD001", 17),
        (b"BEA01", 23),
    ],
)
def test_iso_9660_and_udf_descriptors_are_isos(identifier, sector):
    data = volume(identifier, sector)
    assert is_iso(data[:ISO_HEAD_BYTES])
    assert content_matches("iso", data, data[-512:])


@pytest.mark.parametrize(
    "data",
    [
        volume(b"CD001", 15),  # before the volume recognition area
        volume(b"NSR02", 24),  # past the sectors looked at
        volume(b"TEA01", 17),  # a terminator alone
        b"CD001" + bytes(40_000),
        bytes(32_770) + b"CD0",  # cut off inside the identifier
    ],
)
def test_anything_else_is_not_an_iso(data):
    assert not is_iso(data[:ISO_HEAD_BYTES])
    assert not content_matches("iso", data, data[-512:])
