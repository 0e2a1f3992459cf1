"""Glance's disk and container formats, and the magic bytes that identify a disk format.

Glance inspects uploaded data and refuses an image whose content does not match its
declared disk_format. The portal checks uploads the same way before sending them (so a
bad file is refused at once), and the simulator refuses like Glance, for the formats
recognisable from the first bytes (`head`) and the last 512 bytes (`tail`) of the data.
"""

DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")

# Enough of the start to reach past the ISO 9660 / UDF volume descriptors (ISO_HEAD_BYTES).
HEAD_BYTES = 64 * 1024
# A VHD's footer: the last 512 bytes of the file.
TAIL_BYTES = 512

# ISO 9660 ("CD001") and UDF ("BEA01", "NSR02", "NSR03") volume descriptor identifiers,
# looked for in the first sectors of the volume recognition area: it starts at sector 16
# (byte 32768), and each descriptor has its 5-byte identifier at its second byte.
ISO_SIGNATURES = (b"CD001", b"BEA01", b"NSR02", b"NSR03")
ISO_FIRST_DESCRIPTOR = 32768
ISO_SECTOR_BYTES = 2048
ISO_DESCRIPTOR_SECTORS = 8
# The start of a file that holds those sectors.
ISO_HEAD_BYTES = ISO_FIRST_DESCRIPTOR + ISO_SECTOR_BYTES * ISO_DESCRIPTOR_SECTORS
VDI_SIGNATURE_OFFSET = 0x40


def _is_qcow2(head: bytes, tail: bytes) -> bool:
    return head.startswith(b"QFI\xfb")


def is_iso(head: bytes) -> bool:
    """Whether data starting with `head` is an ISO 9660 or UDF image: a volume descriptor
    identifier in one of the first sectors of its volume recognition area."""
    for sector in range(ISO_DESCRIPTOR_SECTORS):
        offset = ISO_FIRST_DESCRIPTOR + ISO_SECTOR_BYTES * sector + 1
        if head[offset : offset + 5] in ISO_SIGNATURES:
            return True
    return False


def _is_iso(head: bytes, tail: bytes) -> bool:
    return is_iso(head)


def _is_vhd(head: bytes, tail: bytes) -> bool:
    # Fixed disks have only the footer; dynamic ones also a copy of it at the start.
    return head.startswith(b"conectix") or tail.startswith(b"conectix")


def _is_vhdx(head: bytes, tail: bytes) -> bool:
    return head.startswith(b"vhdxfile")


def _is_vmdk(head: bytes, tail: bytes) -> bool:
    # A sparse extent, or a monolithic text descriptor.
    return head.startswith(b"KDMV") or head.startswith(b"# Disk DescriptorFile")


def _is_vdi(head: bytes, tail: bytes) -> bool:
    signature = head[VDI_SIGNATURE_OFFSET : VDI_SIGNATURE_OFFSET + 4]
    return signature == b"\x7f\x10\xda\xbe"


_RECOGNISERS = {
    "qcow2": _is_qcow2,
    "iso": _is_iso,
    "vhd": _is_vhd,
    "vhdx": _is_vhdx,
    "vmdk": _is_vmdk,
    "vdi": _is_vdi,
}


def content_matches(disk_format: str, head: bytes, tail: bytes) -> bool:
    """Whether data starting with `head` and ending with `tail` is of `disk_format`.

    Formats without a signature (raw, ami...) match anything.
    """
    recognise = _RECOGNISERS.get(disk_format)
    return recognise is None or recognise(head, tail)
