"""Tags of a server (seed 001): portal records, changed without a cloud call."""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.core.errors import Conflict, NotFound, ValidationFailed
from portal.servers.models import ServerTag

MAX_TAGS = 50
TAG_MAX_LENGTH = 60


def clean_tag(name) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > TAG_MAX_LENGTH or "/" in name or "," in name:
        problem = _("A tag has 1 to %(max)d characters and no '/' or ','.") % {
            "max": TAG_MAX_LENGTH
        }
        raise ValidationFailed(problem, fields={"tags": [problem]})
    return name


def tags_of(server) -> list[str]:
    return list(server.tags.values_list("name", flat=True))


def set_tags(server, names) -> list[str]:
    """Replace the server's tags (a portal record: no cloud call)."""
    wanted = sorted({clean_tag(name) for name in names})
    if len(wanted) > MAX_TAGS:
        raise ValidationFailed(fields={"tags": [_("At most %d tags.") % MAX_TAGS]})
    with transaction.atomic():
        server.tags.exclude(name__in=wanted).delete()
        ServerTag.objects.bulk_create(
            [ServerTag(server=server, name=name) for name in wanted], ignore_conflicts=True
        )
    return wanted


def add_tag(server, name) -> None:
    name = clean_tag(name)
    if server.tags.count() >= MAX_TAGS and not server.tags.filter(name=name).exists():
        raise Conflict(_("A server has at most %d tags.") % MAX_TAGS, code="too_many_tags")
    ServerTag.objects.get_or_create(server=server, name=name)


def remove_tag(server, name) -> None:
    if not server.tags.filter(name=name).delete()[0]:
        raise NotFound(_("The server has no tag %(tag)s.") % {"tag": name})
