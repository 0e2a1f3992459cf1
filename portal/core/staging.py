"""Staged uploads: what the web process received, kept until a worker has sent it on.

Everything goes through Django's default storage (local files here, S3-compatible storage
in production) so a worker on another machine can read what the web process received.
Both upload paths stage here: images in pieces (portal/images/pieces.py), ISOs as one
streamed file (portal/isos/uploads.py).
"""

import contextlib

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from portal.core.errors import PayloadTooLarge, ValidationFailed

# Bytes read from a request body, and written to the storage, at a time.
CHUNK_BYTES = 1024 * 1024


class BodyReader:
    """A request body read once, chunk by chunk, as the storage saves it.

    Reads at most `length` bytes (the whole stream when None) and counts what arrived
    (`received`), so a body cut short is noticed (a connection lost while reading is a
    400, `upload_incomplete`); more than `limit` bytes is refused (413) as they arrive;
    `hasher` (a hashlib object) sees every byte. `peek(size)` reads
    the first bytes (to check a signature) and serves them again, so nothing is read twice
    from the network. `seek(0)` before the first read is allowed because some storages
    rewind what they are given.
    """

    def __init__(self, stream, length=None, *, limit=None, hasher=None):
        self._stream = stream
        self._remaining = length
        self._limit, self.hasher = limit, hasher
        self._peeked = b""
        self._served = 0
        self.received = 0

    def peek(self, size: int) -> bytes:
        while len(self._peeked) < size:
            chunk = self._read_counted(size - len(self._peeked))
            if not chunk:
                break
            self._peeked += chunk
        return self._peeked

    def read(self, size: int = -1) -> bytes:
        if self._peeked:
            if size is None or size < 0:
                size = len(self._peeked)
            chunk, self._peeked = self._peeked[:size], self._peeked[size:]
        else:
            if size is None or size < 0:
                size = CHUNK_BYTES if self._remaining is None else self._remaining
            chunk = self._read_counted(size)
        self._served += len(chunk)
        return chunk

    def _read_counted(self, size: int) -> bytes:
        if self._remaining is not None:
            size = min(size, self._remaining)
        chunk = self.read_stream(size) if size else b""
        if self._remaining is not None:
            self._remaining -= len(chunk)
        self.received += len(chunk)
        if self._limit is not None and self.received > self._limit:
            raise PayloadTooLarge(_("The file is larger than the portal accepts."))
        if self.hasher is not None:
            self.hasher.update(chunk)
        return chunk

    def read_stream(self, size: int) -> bytes:
        """The next bytes of the request body; a client that goes away part way through
        (Django's UnreadablePostError, an OSError) is a refused upload (400), not a server
        error."""
        try:
            return self._stream.read(size)
        except OSError as exc:
            raise ValidationFailed(
                _("The upload was cut off after %(received)d bytes.") % {"received": self.received},
                code="upload_incomplete",
            ) from exc

    # Asked by storages before they read (django-storages' S3 backend): an open stream that
    # cannot be rewound, so S3 takes it as a multipart upload as the bytes arrive.
    closed = False

    def seekable(self) -> bool:
        return False

    def seek(self, offset: int, whence: int = 0) -> int:
        if (offset, whence) != (0, 0) or self._served:
            raise OSError("a request body cannot be rewound")
        return 0

    def tell(self) -> int:
        return self._served


def save(name: str, body) -> str:
    """Store `body` (a BodyReader) as `name`, or a free name like it, in CHUNK_BYTES
    writes; returns the name. Whatever was written is removed if reading fails."""
    content = File(body, name=name)
    content.DEFAULT_CHUNK_SIZE = CHUNK_BYTES  # rather than Django's 64 KiB
    try:
        return default_storage.save(name, content)
    except BaseException:
        default_storage.delete(name)
        raise


def free_name(name: str) -> str:
    """`name`, or a name like it that no staged file has yet."""
    return default_storage.get_available_name(name)


def open_staged(name: str):
    return default_storage.open(name, "rb")


def staged_size(name: str) -> int:
    return default_storage.size(name)


def delete_names(names) -> None:
    for name in names:
        default_storage.delete(name)


def remove_directory(directory: str, names=()) -> None:
    """Remove `names` and every file staged in `directory`, then the directory."""
    names = set(names)
    try:
        _dirs, files = default_storage.listdir(directory)
        names.update(f"{directory}/{name}" for name in files)
    except FileNotFoundError:
        pass
    delete_names(names)
    with contextlib.suppress(OSError):
        default_storage.delete(directory)  # the local directory (no-op on S3)
