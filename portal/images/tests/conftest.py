import pytest


@pytest.fixture(autouse=True)
def staging_storage(settings, tmp_path):
    """Each test stages uploads in a directory of its own (the default storage's root)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"
