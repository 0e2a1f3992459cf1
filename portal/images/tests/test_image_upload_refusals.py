"""Uploads refused part way: a connection reset, a body over the limit with an
Idempotency-Key (which applies to POSTs only)."""

import pytest

from portal.core.tests.bodies import CutOffBody
from portal.images.models import Image
from portal.images.tests.uploads import create_image, qcow2_bytes, staged_files

pytestmark = pytest.mark.django_db


def test_upload_cut_off_by_a_reset_is_a_400_and_leaves_nothing(
    cloud, staff_client, staging_storage
):
    image_id = create_image(staff_client)["image_id"]
    response = staff_client.generic(
        "PUT", f"/api/v1/images/{image_id}/file", b"",
        content_type="application/octet-stream",
        CONTENT_LENGTH="100000", **{"wsgi.input": CutOffBody(qcow2_bytes(50000))},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "upload_incomplete"
    assert staged_files(staging_storage) == []
    assert Image.objects.get(image_id=image_id).received_bytes == 0


def test_file_over_the_limit_with_an_idempotency_key_is_a_413(cloud, staff_client, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    image_id = create_image(staff_client)["image_id"]
    response = staff_client.generic(
        "PUT", f"/api/v1/images/{image_id}/file", qcow2_bytes(1001),
        content_type="application/octet-stream", HTTP_IDEMPOTENCY_KEY="upload-1",
    )  # fmt: skip
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
