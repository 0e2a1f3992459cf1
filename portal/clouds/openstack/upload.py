"""A read-only file wrapper that streams a known number of bytes and reports progress."""

from __future__ import annotations

from typing import BinaryIO

from portal.clouds.base import ProgressCallback

# Report at most this often: requests reads 8-16 KiB at a time, and a callback that
# writes a Task row per read would slow a multi-GB upload to a crawl.
REPORT_EVERY = 1024 * 1024


class ProgressReader:
    """Gives requests at most `size` bytes of `data`, read by read (constant memory).

    `__len__` lets requests send a Content-Length instead of chunked encoding, which
    not every WSGI server in front of Glance accepts.
    """

    def __init__(
        self,
        data: BinaryIO,
        size: int,
        progress: ProgressCallback | None = None,
        report_every: int = REPORT_EVERY,
    ):
        self._data = data
        self._size = size
        self._progress = progress
        self._report_every = report_every
        self.bytes_sent = 0
        self._last_report = 0

    def __len__(self) -> int:
        return self._size - self.bytes_sent

    def __bool__(self) -> bool:
        # Without this, an empty upload would be falsy and the SDK would send no body.
        return True

    def read(self, amount: int = -1) -> bytes:
        remaining = self._size - self.bytes_sent
        if amount is None or amount < 0 or amount > remaining:
            amount = remaining
        chunk = self._data.read(amount) if amount else b""
        self.bytes_sent += len(chunk)
        self._report(finished=not chunk or self.bytes_sent == self._size)
        return chunk

    def _report(self, finished: bool) -> None:
        if self._progress is None or self.bytes_sent == self._last_report:
            return
        if finished or self.bytes_sent - self._last_report >= self._report_every:
            self._last_report = self.bytes_sent
            self._progress(self.bytes_sent)
