"""The fixed-disk VHD footer (vhd.py) against Microsoft's VHD specification: its layout,
checksum and CHS geometry, and a footer written by qemu-img read back byte for byte."""

import struct

import pytest

from portal.clouds.azure import vhd

MIB = 1024 * 1024
GIB = 1024 * MIB
# The footer `qemu-img create -f vpc -o subformat=fixed q.vhd 10M` wrote (QEMU 7.2): its 85
# meaningful bytes, then 427 reserved zeros. qemu rounds 10 MiB up to whole cylinders:
# 302 cylinders x 4 heads x 17 sectors x 512 = 10514432 bytes.
QEMU_10M_FOOTER = bytes.fromhex(
    "636f6e65637469780000000200010000ffffffffffffffff32a5e5c271656d75000500035769326b"
    "0000000000a070000000000000a07000012e041100000002ffffe595712235f303fc459fa94920acf3"
    "7d321300"
) + bytes(427)


def test_a_footer_has_the_layout_of_the_specification():
    footer = vhd.Footer(current_size=GIB, timestamp=0x12345678, unique_id=bytes(range(16)))
    raw = footer.to_bytes()

    assert len(raw) == 512
    assert raw[0:8] == b"conectix"
    assert struct.unpack(">I", raw[8:12])[0] == 2  # features: the reserved bit
    assert struct.unpack(">I", raw[12:16])[0] == 0x00010000  # file format version 1.0
    assert raw[16:24] == b"\xff" * 8  # data offset: a fixed disk has no dynamic header
    assert struct.unpack(">I", raw[24:28])[0] == 0x12345678
    assert raw[28:32] == b"ptal"
    assert raw[36:40] == b"Wi2k"
    assert struct.unpack(">QQ", raw[40:56]) == (GIB, GIB)  # original and current size
    assert struct.unpack(">HBB", raw[56:60]) == (2080, 16, 63)
    assert struct.unpack(">I", raw[60:64])[0] == 2  # disk type: fixed
    assert raw[68:84] == bytes(range(16))
    assert raw[84:] == bytes(428)  # saved state 0, then the reserved bytes


def test_the_checksum_is_the_ones_complement_of_the_byte_sum():
    raw = vhd.Footer(current_size=GIB).to_bytes()
    stored = struct.unpack(">I", raw[64:68])[0]

    byte_sum = sum(raw[:64]) + sum(raw[68:])
    assert stored == (~byte_sum) & 0xFFFFFFFF
    assert (stored + byte_sum) & 0xFFFFFFFF == 0xFFFFFFFF


@pytest.mark.parametrize(
    ("size", "chs"),
    [
        # Worked by hand through the specification's algorithm:
        (10 * MIB, (301, 4, 17)),  # 20480 sectors / 17 = 1204 -> 4 heads suffice
        (100 * MIB, (1003, 12, 17)),  # 204800 / 17 = 12047 -> (12047 + 1023) // 1024 = 12 heads
        (GIB, (2080, 16, 63)),  # 17 and 31 sectors need more than 16 heads
        (127 * GIB, (65278, 16, 255)),  # Azure's usual OS disk: 266338304 // 255 // 16
        (2 * 1024 * GIB, (65535, 16, 255)),  # past the CHS maximum: capped
    ],
)
def test_the_geometry_follows_the_specifications_algorithm(size, chs):
    assert vhd.geometry(size) == vhd.Geometry(*chs)


def test_a_footer_written_by_qemu_img_is_read_and_written_back_the_same():
    footer = vhd.parse(QEMU_10M_FOOTER)

    assert (footer.current_size, footer.original_size) == (10514432, 10514432)
    assert footer.geometry == vhd.Geometry(302, 4, 17)
    assert footer.is_fixed
    assert footer.creator_application == b"qemu"
    assert footer.to_bytes() == QEMU_10M_FOOTER


def test_a_new_footer_round_trips():
    raw = vhd.fixed_footer(3 * MIB)
    footer = vhd.parse(raw)

    assert (footer.current_size, footer.is_fixed, footer.data_offset) == (3 * MIB, True, 2**64 - 1)
    assert footer.to_bytes() == raw
    assert vhd.parse(vhd.fixed_footer(3 * MIB)).unique_id != footer.unique_id


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda raw: b"notavhd!" + raw[8:], "cookie"),
        (lambda raw: raw[:40] + bytes([raw[40] ^ 1]) + raw[41:], "checksum"),
        (lambda raw: raw[:511], "512 bytes"),
    ],
)
def test_what_is_not_a_footer_is_refused(damage, reason):
    with pytest.raises(vhd.InvalidFooter, match=reason):
        vhd.parse(damage(vhd.fixed_footer(MIB)))


def test_a_fixed_footer_needs_whole_sectors():
    with pytest.raises(ValueError, match="multiple of 512"):
        vhd.fixed_footer(1000)
