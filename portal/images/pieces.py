"""The staged pieces of an uploaded image (portal/core/staging.py keeps them).

S3 cannot append to an object, so every Content-Range PUT is stored as a piece of its
own (a long body as several); the image row lists the accepted pieces in order and
`StagedData` reads them back as one stream, chunk by chunk (constant memory), even
while later pieces still arrive.
"""

import hashlib
import uuid

from django.utils.translation import gettext as _

from portal.core import staging
from portal.core.errors import PayloadTooLarge, ValidationFailed

STAGING_ROOT = "image-staging"


def staging_dir(image) -> str:
    return f"{STAGING_ROOT}/{image.image_id}"


def save_piece(image, offset: int, stream, length: int) -> str:
    """Store `length` bytes of `stream` as a new piece of `image`; returns its name.

    A body shorter than announced (the client gave up) leaves nothing behind.
    """
    name = f"{staging_dir(image)}/{offset:020d}-{uuid.uuid4().hex[:8]}.part"
    body = staging.BodyReader(stream, length)
    name = staging.save(name, body)
    if body.received != length:
        staging.delete_names([name])
        raise ValidationFailed(
            _("The body ended after %(received)d of the %(length)d bytes announced.")
            % {"received": body.received, "length": length},
            code="incomplete_body",
        )
    return name


def discard(image) -> None:
    """Remove every staged piece of `image`, listed or left over by a failed request."""
    staging.remove_directory(staging_dir(image), image.staged_parts or [])


class StagedData:
    """The staged pieces of an image read back as one stream, with its MD5 as read
    (`hashed`; None otherwise).

    With `size` and `more_parts`, later pieces may still be arriving: once the known
    pieces are read and fewer than `size` bytes came, `more_parts(count)` is asked for
    the pieces after the first `count` (it waits for them, and raises when the upload
    was cut off). The first `head_size` and last `tail_size` bytes read are kept for
    the format check at the end (constant memory).
    """

    def __init__(
        self, parts, *, size=None, more_parts=None, head_size=0, tail_size=0, hashed=False
    ):
        self._parts = list(parts)
        self._listed = len(self._parts)
        self._size, self._more_parts = size, more_parts
        self._head_size, self._tail_size = head_size, tail_size
        self._current = None
        self.md5 = hashlib.md5(usedforsecurity=False) if hashed else None
        self.bytes_read = 0
        self.head = b""
        self.tail = b""

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = staging.CHUNK_BYTES
        while True:
            if self._current is None:
                if not self._parts and not self._wait_for_parts():
                    return b""
                self._current = staging.open_staged(self._parts.pop(0))
            chunk = self._current.read(size)
            if chunk:
                self._account(chunk)
                return chunk
            self.close()

    def _wait_for_parts(self) -> bool:
        if self._more_parts is None or self._size is None or self.bytes_read >= self._size:
            return False
        self._parts = list(self._more_parts(self._listed))
        self._listed += len(self._parts)
        return bool(self._parts)

    def _account(self, chunk: bytes) -> None:
        if self.md5 is not None:
            self.md5.update(chunk)
        self.bytes_read += len(chunk)
        if len(self.head) < self._head_size:
            self.head += chunk[: self._head_size - len(self.head)]
        if self._tail_size:
            self.tail = (self.tail + chunk[-self._tail_size :])[-self._tail_size :]

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def head_and_tail(parts: list[str], head_size: int, tail_size: int) -> tuple[bytes, bytes]:
    """The first `head_size` and last `tail_size` bytes of the staged data."""
    head = b""
    with StagedData(parts) as data:
        while len(head) < head_size:
            chunk = data.read(head_size - len(head))
            if not chunk:
                break
            head += chunk
    tail = b""
    for name in reversed(parts):
        with staging.open_staged(name) as piece:
            size = staging.staged_size(name)
            wanted = tail_size - len(tail)
            piece.seek(max(size - wanted, 0))
            tail = piece.read() + tail
        if len(tail) >= tail_size:
            break
    return head, tail


def check_size_limit(total: int, limit: int) -> None:
    if total > limit:
        raise PayloadTooLarge(
            _("The image is %(size)d bytes; the portal accepts at most %(limit)d.")
            % {"size": total, "limit": limit}
        )
