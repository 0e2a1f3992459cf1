"""Staging a request body: read once, counted, limited, hashed; saved or left nothing."""

import hashlib
import io

import pytest
from django.core.files.storage import default_storage

from portal.core import staging
from portal.core.errors import PayloadTooLarge


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_peeked_bytes_are_served_again_and_counted_once():
    body = staging.BodyReader(io.BytesIO(b"0123456789"), hasher=hashlib.sha256())
    assert body.peek(4) == b"0123"
    assert body.seek(0) == 0  # nothing served yet: a storage may rewind
    assert [body.read(3), body.read(3), body.read(100), body.read(100)] == [
        b"012", b"3", b"456789", b"",
    ]  # fmt: skip
    assert body.received == body.tell() == 10
    assert body.hasher.hexdigest() == hashlib.sha256(b"0123456789").hexdigest()
    with pytest.raises(OSError, match="rewound"):
        body.seek(0)


def test_at_most_length_bytes_are_read():
    stream = io.BytesIO(b"abcdef")
    body = staging.BodyReader(stream, 4)
    assert body.read() == b"abcd"
    assert (body.read(), stream.read()) == (b"", b"ef")


def test_more_than_the_limit_is_refused_as_it_arrives():
    body = staging.BodyReader(io.BytesIO(b"x" * 10), limit=6)
    assert body.read(6) == b"x" * 6
    with pytest.raises(PayloadTooLarge):
        body.read(6)


def test_saved_in_storage_or_nothing_left(media_root):
    name = staging.save("area/one.part", staging.BodyReader(io.BytesIO(b"data")))
    with staging.open_staged(name) as saved:
        assert saved.read() == b"data"
    with pytest.raises(PayloadTooLarge):
        staging.save("area/two.part", staging.BodyReader(io.BytesIO(b"x" * 10), limit=2))
    assert not default_storage.exists("area/two.part")
    staging.remove_directory("area")
    assert not (media_root / "area").exists()
