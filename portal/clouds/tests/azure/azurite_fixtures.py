"""Fixtures for tests against the local Azurite blob service (scripts/azurite), registered
in the root conftest. Mark such tests `@pytest.mark.azurite`; `make test-azure` starts
Azurite and runs them. Azurite not running fails them with what to do: never a skip.

Each test gets a container of its own (`<RUN>-...`), deleted with its blobs at the end,
so the suite can run again on a long-lived Azurite.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import responses
from azure.core.exceptions import ResourceNotFoundError
from django.conf import settings

from portal.clouds.azure.blobs import PageBlobs
from portal.clouds.azure.session import AzureSession
from portal.clouds.tests.azure.arm import ArmReplay, _StrictOrder, cloud_variables
from portal.clouds.tests.factories import AzureCloudFactory

AZURITE_ENV = Path(os.environ.get("AZURITE_ENV", "/tmp/portal-azurite/env"))
SCRIPTS = Path(settings.BASE_DIR) / "scripts" / "azurite"
# One id per run: every container starts with it, so runs never collide.
RUN = f"az{uuid.uuid4().hex[:6]}"


def unique(prefix: str) -> str:
    return f"{RUN}-{prefix}-{uuid.uuid4().hex[:8]}"


def _answers(endpoint: str) -> bool:
    address = urlsplit(endpoint)
    with (
        contextlib.suppress(OSError),
        socket.create_connection((address.hostname, address.port), timeout=2),
    ):
        return True
    return False


@pytest.fixture(scope="session")
def azurite() -> dict[str, str]:
    """Azurite's env file (endpoint, account, key) as a dict; fails when it is not up."""
    if not AZURITE_ENV.exists():
        pytest.fail(f"Azurite is not running ({AZURITE_ENV} missing): run scripts/azurite/up")
    lines = AZURITE_ENV.read_text().splitlines()
    values = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    if not _answers(values["AZURITE_BLOB_ENDPOINT"]):
        pytest.fail(
            f"Azurite does not answer on {values['AZURITE_BLOB_ENDPOINT']}: run scripts/azurite/up"
        )
    return values


@pytest.fixture
def azurite_cloud(azurite):
    """An unsaved Azure cloud whose storage account is Azurite's; copies are waited for
    at most 30 s."""
    return AzureCloudFactory.build(
        name=unique("cloud"),
        azure_storage_account=azurite["AZURITE_ACCOUNT"],
        azure_storage_key=azurite["AZURITE_ACCOUNT_KEY"],
        azure_blob_endpoint=azurite["AZURITE_BLOB_ENDPOINT"],
        options={"wait_seconds": 30, "azure_polling_interval": 0},
    )


@pytest.fixture
def page_blobs(azurite_cloud):
    """PageBlobs in a new container of Azurite's account, deleted after the test."""
    blobs = PageBlobs(AzureSession(azurite_cloud), unique("vhds"))
    blobs.ensure_container()
    yield blobs
    with contextlib.suppress(ResourceNotFoundError):
        blobs.container.delete_container()


@pytest.fixture
def azurite_stopped(azurite):
    """Azurite stopped for the test (its data removed), started again after it."""
    subprocess.run([str(SCRIPTS / "down")], check=True, timeout=60)
    try:
        yield
    finally:
        subprocess.run([str(SCRIPTS / "up")], check=True, timeout=300)


@pytest.fixture
def azure_cloud_on_azurite(azure_cloud, azurite):
    """The `arm` fixture's Azure cloud, its storage account Azurite's."""
    azure_cloud.azure_storage_account = azurite["AZURITE_ACCOUNT"]
    azure_cloud.azure_storage_key = azurite["AZURITE_ACCOUNT_KEY"]
    azure_cloud.azure_blob_endpoint = azurite["AZURITE_BLOB_ENDPOINT"]
    azure_cloud.options |= {"wait_seconds": 30}
    azure_cloud.save()
    return azure_cloud


@pytest.fixture
def arm_and_azurite(azure_cloud_on_azurite, azurite):
    """Like `arm` (recorded ARM exchanges, strictly in order), while the blob service's
    requests reach the real Azurite. They must not go through the ordered registry: a
    request it does not expect makes it forget the exchanges still to come."""
    endpoint = azurite["AZURITE_BLOB_ENDPOINT"]

    class ArmOrAzurite(_StrictOrder):
        def find(self, request):
            if request.url.startswith(endpoint):
                return None, ["Azurite's, passed through"]
            return super().find(request)

    replay = ArmReplay(cloud_variables(azure_cloud_on_azurite))
    replay.mock = responses.RequestsMock(assert_all_requests_are_fired=True, registry=ArmOrAzurite)
    replay.mock.add_passthru(endpoint)
    with replay:
        yield replay
