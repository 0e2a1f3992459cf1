"""Image operations: who sees which image (the enabled flag is portal.core.flags).
Uploads are in uploads.py (the request side) and workflows.py (the jobs' work)."""

from django.db.models import OuterRef, Q, Subquery

from portal.core.principals import tenant_scope
from portal.images.models import Image
from portal.tenants.models import TenantIdentity

# ---- reading ------------------------------------------------------------------------


def images_known_to(user):
    """The images a caller may know exist: every one for operators; for a tenant the open
    (public, community) images and its own project's, usable now or not. Another
    project's private image is answered as if it did not exist."""
    images = Image.objects.all()
    tenant = tenant_scope(user)
    if tenant is None:
        return images
    own_projects = TenantIdentity.objects.filter(tenant=tenant, cloud=OuterRef("cloud")).exclude(
        project_id=""
    )
    return images.filter(
        Q(visibility__in=Image.OPEN_VISIBILITIES)
        | Q(owner__in=Subquery(own_projects.values("project_id")))
    )


def images_visible_to(user):
    """Operators see every image. A tenant sees, of the images it may know, the enabled,
    active ones the cloud still lists (another project's private image would only fail
    at boot)."""
    images = images_known_to(user)
    if tenant_scope(user) is None:
        return images
    return images.filter(enabled=True, status=Image.ACTIVE, missing_since__isnull=True)


def reread(image: Image) -> Image:
    """The image as the database now holds it (itself if it was deleted meanwhile)."""
    fresh = Image.objects.select_related("cloud", "uploaded_by").filter(pk=image.pk).first()
    return fresh or image
