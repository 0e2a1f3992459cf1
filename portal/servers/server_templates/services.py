"""Server templates (seed 003's 模板), the request side: checking a template, creating,
changing and deleting one (the API and the admin both)."""

from django.utils.translation import gettext as _

from portal.clouds.mappings import refuse_unmapped_server
from portal.core.errors import Conflict, Unprocessable, ValidationFailed
from portal.images.models import Image
from portal.network.services import check_network_known
from portal.servers.models import Flavor
from portal.servers.server_templates.models import ServerTemplate


def template_problems(template: ServerTemplate, *, image_changed: bool) -> None:
    """Refuse a template that could not boot: a disabled or unusable image (422, only
    when the image is newly chosen: a template survives its image being disabled), an
    image and flavor of different clouds, a system disk smaller than both need, a network
    its cloud does not have, a flavor, image, network or group an Azure cloud does not
    map (422 `mapping_missing`)."""
    image, flavor = template.image, template.flavor
    if image_changed:
        _check_template_image(image)
    if image.cloud_id != flavor.cloud_id:
        raise ValidationFailed(
            fields={"flavor_ref": [_("The flavor must be in the image's region.")]}
        )
    smallest = max(image.min_disk, flavor.disk, _gigabytes(image.size), 1)
    if template.system_disk_size < smallest:
        problem = _("The system disk must be at least %(size)d GB for this image and flavor.")
        raise ValidationFailed(fields={"system_disk_size": [problem % {"size": smallest}]})
    check_network_known(image.cloud, template.network_id)
    names = template.security_groups
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise ValidationFailed(fields={"security_groups": [_("A list of security group names.")]})
    refuse_unmapped_server(
        image.cloud,
        flavor=flavor,
        image=image,
        network_id=template.network_id,
        security_group_names=names,
    )


def _check_template_image(image: Image) -> None:
    if not image.enabled:
        raise Unprocessable(
            _("The image %(name)s is disabled; only enabled images make new templates.")
            % {"name": image.name},
            code="image_disabled",
            fields={"image_ref": [_("This image is disabled.")]},
        )
    if image.status != Image.ACTIVE or image.is_missing:
        raise Unprocessable(
            _("The image %(name)s is not active in its cloud.") % {"name": image.name},
            code="image_unavailable",
            fields={"image_ref": [_("This image cannot be used now.")]},
        )


def _gigabytes(size_bytes) -> int:
    return -(-(size_bytes or 0) // 1024**3)


def save_template(template: ServerTemplate, *, actor=None) -> ServerTemplate:
    """Create or change a template after checking it (the API and the admin both)."""
    previous = ServerTemplate.objects.filter(pk=template.pk).values_list("image_id", flat=True)
    image_changed = template.pk is None or previous.first() != template.image_id
    template_problems(template, image_changed=image_changed)
    if template.pk is None and actor is not None:
        template.created_by = str(actor)[:200]
    if ServerTemplate.objects.filter(name=template.name).exclude(pk=template.pk).exists():
        raise Conflict(
            _("A template named %(name)s exists already.") % {"name": template.name},
            fields={"template_name": [_("This name is taken.")]},
        )
    template.save()
    return template


def create_template(fields: dict, *, actor=None) -> ServerTemplate:
    """A template from API-shaped input: `image_ref` (an image id) and `flavor_ref` (a
    flavor id of the image's cloud) resolved, then checked and saved."""
    image = Image.objects.select_related("cloud").filter(image_id=fields["image_ref"]).first()
    if image is None:
        raise ValidationFailed(fields={"image_ref": [_("No such image.")]})
    flavor = Flavor.objects.filter(cloud=image.cloud, backend_id=fields["flavor_ref"]).first()
    if flavor is None:
        raise ValidationFailed(fields={"flavor_ref": [_("No such flavor in the image's region.")]})
    template = ServerTemplate(
        name=fields["name"],
        image=image,
        flavor=flavor,
        system_disk_size=fields.get("system_disk_size") or max(flavor.disk, image.min_disk, 1),
        system_disk_type=fields.get("system_disk_type", ""),
        network_id=fields["network_id"],
        security_groups=fields.get("security_groups", ["default"]),
    )
    return save_template(template, actor=actor)


def delete_template(template: ServerTemplate) -> None:
    """A template is the portal's own record: deleting it touches no cloud."""
    template.delete()
