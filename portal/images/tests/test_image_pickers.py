"""Pickers offer only images a server can boot from: active in the cloud, enabled, still
listed (an upload still queued or a failed one is never offered)."""

import pytest

from portal.images.models import Image
from portal.images.tests.factories import ImageFactory
from portal.servers import create_options

pytestmark = pytest.mark.django_db


@pytest.fixture
def images(cloud):
    return {
        "bootable": ImageFactory(cloud=cloud, name="bootable"),
        "queued": ImageFactory(
            cloud=cloud, name="queued", status="queued", origin=Image.Origin.UPLOADED
        ),
        "disabled": ImageFactory(cloud=cloud, name="disabled", enabled=False),
    }


def test_the_create_server_wizard_offers_only_bootable_images(images, tenant):
    offered = set(create_options.images_for(tenant).values_list("name", flat=True))
    assert offered == {"bootable"}


def test_the_server_template_image_picker_offers_only_bootable_images(images, admin_client):
    answer = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "servers", "model_name": "servertemplate", "field_name": "image"},
    )
    assert answer.status_code == 200
    offered = {result["text"] for result in answer.json()["results"]}
    assert offered == {str(images["bootable"])}


def test_the_image_list_itself_still_finds_every_image(images, admin_client):
    page = admin_client.get("/admin/images/image/", {"q": ""}).content.decode()
    for name in ("bootable", "queued", "disabled"):
        assert name in page
