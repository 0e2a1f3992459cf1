"""Image operations: who sees which image, the image pull, enabling and disabling."""

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.principals import tenant_scope
from portal.core.sync import CloudMirror, SyncCounts, cloud_for_region, pages, request_sync
from portal.images.models import Image
from portal.tenants.models import TenantIdentity

SYNC_KIND = "images.sync"
# Image properties the portal keeps in fields of their own (the rest stay in `properties`).
PROPERTY_FIELDS = ("os_type", "os_distro", "os_version", "description")
FIELD_LIMITS = {"os_type": 50, "os_distro": 50, "os_version": 50}


# ---- reading ------------------------------------------------------------------------


def images_visible_to(user):
    """Operators see every image. A tenant sees enabled, active images the cloud still
    lists, and of those only what its project may boot: open (public, community) images
    and its own project's; another project's private image would only fail at boot."""
    images = Image.objects.all()
    tenant = tenant_scope(user)
    if tenant is None:
        return images
    own_projects = TenantIdentity.objects.filter(tenant=tenant, cloud=OuterRef("cloud")).exclude(
        project_id=""
    )
    return images.filter(enabled=True, status=Image.ACTIVE, missing_since__isnull=True).filter(
        Q(visibility__in=Image.OPEN_VISIBILITIES)
        | Q(owner__in=Subquery(own_projects.values("project_id")))
    )


# ---- portal flags -------------------------------------------------------------------


def set_images_enabled(images, enabled: bool) -> int:
    """Enable or disable images. A portal flag only (seed 003): the cloud is not told, and
    templates and servers made from a disabled image are left as they are. Rows already
    so are not written, so repeating it is harmless."""
    return images.exclude(enabled=enabled).update(enabled=enabled, updated=timezone.now())


def set_image_enabled(image: Image, enabled: bool) -> Image:
    set_images_enabled(Image.objects.filter(pk=image.pk), enabled)
    image.enabled = enabled
    return image


# ---- the pull ----------------------------------------------------------------------


def request_image_sync(region=None, *, cloud=None, actor=None):
    """Queue an image pull of `cloud` (or of the cloud serving `region`); returns
    (cloud, Task)."""
    from portal.images import tasks  # the Celery job imports this module

    cloud = cloud or cloud_for_region(region)
    return cloud, request_sync(SYNC_KIND, cloud, tasks.sync_images, actor=actor)


def sync_images(cloud, driver, progress=None) -> SyncCounts:
    """Mirror the cloud's ACTIVE images (seed 003), page by page; returns what changed.

    Images that stopped being active (deactivated, deleted) drop out of the listing and
    are marked missing. Only rows the portal believes active may go missing, so an
    upload still in progress (not active in the cloud yet) is left alone. Missing rows
    are marked only after a complete listing: a cloud error part way through leaves
    them as they were.
    """
    mirror = CloudMirror(Image, cloud, on_create=_adopt_cloud_ids)
    for number, page in enumerate(pages(driver.images.iter_images(status=Image.ACTIVE)), 1):
        mirror.upsert({info.id: _image_fields(info) for info in page})
        if progress:
            # The total is unknown until the listing ends: creep towards 90%.
            percent = 90 - 80 // (number + 1)
            progress(percent, _("Read %(count)d images.") % {"count": mirror.counts.read})
    mirror.mark_missing(Image.objects.filter(status=Image.ACTIVE))
    return mirror.counts


def _image_fields(info):
    properties = dict(info.properties or {})
    named = {name: _text(properties.get(name)) for name in PROPERTY_FIELDS}
    for name, limit in FIELD_LIMITS.items():
        named[name] = named[name][:limit]
    return {
        "name": info.name or "",
        "disk_format": info.disk_format or "",
        "container_format": info.container_format or "",
        "size": info.size,
        "checksum": info.checksum or "",
        "min_disk": info.min_disk or 0,
        "min_ram": info.min_ram or 0,
        "visibility": info.visibility or "",
        "owner": info.owner or "",
        "status": (info.status or "").lower(),
        "properties": properties,
        **named,
    }


def _text(value):
    return "" if value is None else str(value)


def _adopt_cloud_ids(images):
    """New synced rows take the cloud's id as their public id, unless an image of
    another cloud already holds it (then they keep their fresh UUID)."""
    wanted = [image.backend_id for image in images]
    taken = set(Image.objects.filter(image_id__in=wanted).values_list("image_id", flat=True))
    for image in images:
        if image.backend_id not in taken:
            image.image_id = image.backend_id
