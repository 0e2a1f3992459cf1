"""Registering an OpenStack cloud from a clouds.yaml, the file every OpenStack user has.

Read with PyYAML rather than openstack.config: its loader merges in vendor profiles,
OS_* variables and other files of the machine, and the portal must store exactly what
the named file says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction

from portal.clouds.models import Cloud


class CloudsYamlError(ValueError):
    """The file cannot be read or does not describe a usable password login."""


@dataclass(frozen=True)
class ImportResult:
    cloud: Cloud
    created: bool


def read_clouds(path: str | Path) -> dict:
    try:
        content = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise CloudsYamlError(f"cannot read {path}: {exc}") from exc
    clouds = (content or {}).get("clouds") if isinstance(content, dict) else None
    if not isinstance(clouds, dict) or not clouds:
        raise CloudsYamlError(f"{path} has no 'clouds' section")
    return clouds


def pick_cloud(clouds: dict, name: str | None) -> tuple[str, dict]:
    if name is None:
        if len(clouds) != 1:
            raise CloudsYamlError(f"the file holds several clouds, name one of: {sorted(clouds)}")
        name = next(iter(clouds))
    if name not in clouds:
        raise CloudsYamlError(f"no cloud {name!r} in the file; it holds: {sorted(clouds)}")
    return name, clouds[name]


def cloud_fields(entry: dict) -> dict:
    """The Cloud model's fields for one clouds.yaml entry (password login only)."""
    auth = entry.get("auth") or {}
    missing = [key for key in ("auth_url", "username", "password") if not auth.get(key)]
    if missing:
        raise CloudsYamlError(f"the cloud's auth section lacks {', '.join(missing)}")
    # `domain_name` is clouds.yaml's shorthand for both domains.
    default_domain = auth.get("domain_name") or "Default"
    return {
        "kind": Cloud.Kind.OPENSTACK,
        "auth_url": auth["auth_url"],
        "username": auth["username"],
        "password": auth["password"],
        "project_name": auth.get("project_name") or auth.get("tenant_name") or "",
        "user_domain_name": auth.get("user_domain_name") or default_domain,
        "project_domain_name": auth.get("project_domain_name") or default_domain,
        "region_name": entry.get("region_name") or "",
        "verify_tls": entry.get("verify", True) is not False,
    }


def _options(existing: dict, entry: dict) -> dict:
    options = dict(existing)
    if entry.get("interface"):
        options["interface"] = entry["interface"]
    if entry.get("cacert"):
        options["cacert"] = entry["cacert"]
    return options


@transaction.atomic
def import_cloud(
    path: str | Path,
    cloud_name: str | None = None,
    *,
    region: str | None = None,
    make_default: bool = False,
) -> ImportResult:
    """Create or update the Cloud named like the clouds.yaml entry.

    `region` is the portal's region name for it (default: the entry's region_name, else
    the cloud's name). `make_default` makes it the cloud requests use when they name none.
    """
    name, entry = pick_cloud(read_clouds(path), cloud_name)
    fields = cloud_fields(entry)
    cloud = Cloud.objects.select_for_update().filter(name=name).first()
    created = cloud is None
    if created:
        cloud = Cloud(name=name, region=region or fields["region_name"] or name)
    elif region:
        cloud.region = region
    for field, value in fields.items():
        setattr(cloud, field, value)
    cloud.options = _options(cloud.options or {}, entry)
    if make_default:
        # Only one default cloud may exist (a unique constraint): clear the old one first.
        Cloud.objects.filter(is_default=True).exclude(pk=cloud.pk).update(is_default=False)
        cloud.is_default = True
    cloud.full_clean(exclude=["password"])
    cloud.save()
    return ImportResult(cloud=cloud, created=created)
