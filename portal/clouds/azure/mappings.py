"""What the portal's names mean on an Azure cloud (seed 000: Jacket's mapping configuration),
read from the operators' AzureMapping rows once per driver."""

from __future__ import annotations

import re
from functools import cached_property

from django.utils.translation import gettext_lazy as _

from portal.clouds.errors import CloudBadRequest
from portal.clouds.models import AzureMapping

Kind = AzureMapping.Kind
# An image mapping naming a managed disk: the server boots from that disk itself.
_DISK_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/disks/[^/]+$",
    re.IGNORECASE,
)


def is_disk_ref(ref: str | None) -> bool:
    """Whether an image mapping's reference is a managed disk's ARM id (boot from it)."""
    return bool(_DISK_ID.match(ref or ""))


class Mappings:
    """The cloud's mappings by kind: {portal name: Azure reference}."""

    def __init__(self, cloud):
        self.cloud = cloud

    @cached_property
    def _by_kind(self) -> dict[str, dict[str, str]]:
        by_kind: dict[str, dict[str, str]] = {kind: {} for kind in Kind.values}
        rows = AzureMapping.objects.filter(cloud=self.cloud).values_list(
            "kind", "name", "azure_ref"
        )
        for kind, name, ref in rows:
            by_kind[kind][name] = ref
        return by_kind

    def of_kind(self, kind: str) -> dict[str, str]:
        return self._by_kind[kind]

    def get(self, kind: str, name: str) -> str | None:
        return self._by_kind[kind].get(name)

    def ref(self, kind: str, name: str) -> str:
        """The Azure reference of `name`; 400 naming the kind and name when unmapped (the
        request side refuses such requests with a 422 first: this guards the worker)."""
        ref = self.get(kind, name)
        if ref is None:
            raise missing(kind, name)
        return ref

    def name_of(self, kind: str, ref: str) -> str | None:
        """The portal name mapped to the Azure reference `ref` (ARM ids and VM sizes
        compare case-insensitively, as Azure does), or None."""
        wanted = ref.lower()
        for name, mapped in self._by_kind[kind].items():
            if mapped.lower() == wanted:
                return name
        return None


def missing(kind: str, name: str) -> CloudBadRequest:
    return CloudBadRequest(
        _(
            'This Azure cloud has no %(kind)s mapping named "%(name)s"; an administrator '
            "must add it."
        )
        % {"kind": Kind(kind).label, "name": name}
    )
