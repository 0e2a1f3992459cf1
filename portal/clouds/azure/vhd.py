"""The footer of a fixed-size VHD: 512 bytes after the disk's data, the only form of VHD
Azure attaches (seed 000: "create vhd footer with size and upload to azure").

Written from Microsoft's "Virtual Hard Disk Image Format Specification" (version 1.0):
big-endian fields, the geometry computed by its CHS algorithm (appendix), the checksum the
one's complement of the sum of the footer's bytes. No PyPI package does this and is kept
up (fixed-vhd-writer 0.0.5 and pyvhd 0.0.1 are unmaintained one-offs), and it is small.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

FOOTER_SIZE = 512
SECTOR_SIZE = 512
COOKIE = b"conectix"
FEATURES = 0x00000002  # "reserved": the specification says it is always set
FILE_FORMAT_VERSION = 0x00010000
FIXED_DATA_OFFSET = 0xFFFFFFFFFFFFFFFF  # a fixed disk has no dynamic header
DISK_TYPE_FIXED = 2
# Who wrote the VHD: four characters of our own, and the host OS code Windows uses
# ("Wi2k"), as qemu-img and Azure's own tools write it.
CREATOR_APPLICATION = b"ptal"
CREATOR_VERSION = 0x00010000
CREATOR_HOST_OS = b"Wi2k"
# Timestamps count seconds from 2000-01-01 00:00:00 UTC.
VHD_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# The largest geometry the CHS fields can hold: 65535 cylinders, 16 heads, 255 sectors.
MAX_GEOMETRY_SECTORS = 65535 * 16 * 255

# Cookie, features, version, data offset, timestamp, creator application, creator version,
# creator host OS, original size, current size, cylinders, heads, sectors per track, disk
# type, checksum, unique id, saved state; then 427 reserved zero bytes.
_LAYOUT = struct.Struct(">8sIIQI4sI4sQQHBBII16sB427x")
_CHECKSUM_OFFSET = 64
assert _LAYOUT.size == FOOTER_SIZE


class InvalidFooter(ValueError):
    """The bytes are not a VHD footer (wrong cookie or checksum)."""


@dataclass(frozen=True)
class Geometry:
    cylinders: int
    heads: int
    sectors_per_track: int


def geometry(size: int) -> Geometry:
    """The CHS geometry of a disk of `size` bytes, by the specification's algorithm."""
    total_sectors = min(size // SECTOR_SIZE, MAX_GEOMETRY_SECTORS)
    if total_sectors >= 65535 * 16 * 63:
        sectors_per_track, heads = 255, 16
        cylinder_times_heads = total_sectors // sectors_per_track
    else:
        sectors_per_track = 17
        cylinder_times_heads = total_sectors // sectors_per_track
        heads = max((cylinder_times_heads + 1023) // 1024, 4)
        if cylinder_times_heads >= heads * 1024 or heads > 16:
            sectors_per_track, heads = 31, 16
            cylinder_times_heads = total_sectors // sectors_per_track
        if cylinder_times_heads >= heads * 1024:
            sectors_per_track, heads = 63, 16
            cylinder_times_heads = total_sectors // sectors_per_track
    return Geometry(cylinder_times_heads // heads, heads, sectors_per_track)


def checksum(footer: bytes) -> int:
    """One's complement of the sum of the footer's bytes, its checksum field left out."""
    without = footer[:_CHECKSUM_OFFSET] + footer[_CHECKSUM_OFFSET + 4 :]
    return ~sum(without) & 0xFFFFFFFF


@dataclass(frozen=True)
class Footer:
    current_size: int  # the disk's size in bytes, the footer not counted
    original_size: int = -1  # -1: the same as current_size
    disk_type: int = DISK_TYPE_FIXED
    timestamp: int = field(default_factory=lambda: seconds_since_vhd_epoch(datetime.now(UTC)))
    unique_id: bytes = field(default_factory=lambda: uuid.uuid4().bytes)
    creator_application: bytes = CREATOR_APPLICATION
    creator_version: int = CREATOR_VERSION
    creator_host_os: bytes = CREATOR_HOST_OS
    data_offset: int = FIXED_DATA_OFFSET
    features: int = FEATURES
    version: int = FILE_FORMAT_VERSION
    saved_state: int = 0

    def __post_init__(self):
        if self.original_size == -1:
            object.__setattr__(self, "original_size", self.current_size)

    @property
    def geometry(self) -> Geometry:
        return geometry(self.current_size)

    @property
    def is_fixed(self) -> bool:
        return self.disk_type == DISK_TYPE_FIXED

    def to_bytes(self) -> bytes:
        chs = self.geometry
        unsigned = _LAYOUT.pack(
            COOKIE,
            self.features,
            self.version,
            self.data_offset,
            self.timestamp,
            self.creator_application,
            self.creator_version,
            self.creator_host_os,
            self.original_size,
            self.current_size,
            chs.cylinders,
            chs.heads,
            chs.sectors_per_track,
            self.disk_type,
            0,
            self.unique_id,
            self.saved_state,
        )
        sealed = bytearray(unsigned)
        sealed[_CHECKSUM_OFFSET : _CHECKSUM_OFFSET + 4] = checksum(unsigned).to_bytes(4, "big")
        return bytes(sealed)


def seconds_since_vhd_epoch(moment: datetime) -> int:
    return int((moment - VHD_EPOCH).total_seconds())


def fixed_footer(size: int) -> bytes:
    """A new fixed-disk footer for `size` bytes of data (a multiple of 512)."""
    if size <= 0 or size % SECTOR_SIZE:
        raise ValueError(f"a fixed VHD's size is a positive multiple of 512, not {size}")
    return Footer(current_size=size).to_bytes()


def parse(footer: bytes) -> Footer:
    """The Footer those 512 bytes hold; InvalidFooter when they are not one."""
    if len(footer) != FOOTER_SIZE:
        raise InvalidFooter(f"a VHD footer is {FOOTER_SIZE} bytes, not {len(footer)}")
    fields = _LAYOUT.unpack(footer)
    if fields[0] != COOKIE:
        raise InvalidFooter("no 'conectix' cookie")
    if fields[14] != checksum(footer):
        raise InvalidFooter("wrong checksum")
    # The geometry is not kept: a footer's geometry follows from its size when written.
    return Footer(
        features=fields[1],
        version=fields[2],
        data_offset=fields[3],
        timestamp=fields[4],
        creator_application=fields[5],
        creator_version=fields[6],
        creator_host_os=fields[7],
        original_size=fields[8],
        current_size=fields[9],
        disk_type=fields[13],
        unique_id=fields[15],
        saved_state=fields[16],
    )
