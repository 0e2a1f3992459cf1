"""What every per-resource API of the driver shares: its connection, error translation,
and small conversions from SDK values to the records of portal.clouds.base."""

from __future__ import annotations

import functools
import inspect
from datetime import UTC, datetime

from openstack.connection import Connection

from portal.clouds.openstack.errors import translate_errors
from portal.clouds.openstack.session import ConnectionHandle


def _translated(qualname: str, method):
    """`method` run inside translate_errors; a generator is translated while it iterates."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator_wrapper(self, *args, **kwargs):
            with translate_errors(qualname, self._handle.forget):
                yield from method(self, *args, **kwargs)

        return generator_wrapper

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with translate_errors(qualname, self._handle.forget):
            return method(self, *args, **kwargs)

    return wrapper


class ResourceAPI:
    """Base of IdentityAPI, ImageAPI, ... of the OpenStack driver.

    Every public method of a subclass is wrapped in translate_errors when the class is
    defined, so no method can forget it and none repeats the same try/except.
    """

    def __init__(self, handle: ConnectionHandle):
        self._handle = handle

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, member in list(vars(cls).items()):
            if not name.startswith("_") and inspect.isfunction(member):
                setattr(cls, name, _translated(f"{cls.__name__}.{name}", member))

    @property
    def _conn(self) -> Connection:
        return self._handle.connection()


def parse_time(value: str | None) -> datetime | None:
    """An API timestamp as an aware datetime; OpenStack's naive ones are UTC."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def only_given(**values) -> dict:
    """The keyword arguments that were given (not None / empty), for SDK calls whose
    backends reject empty strings (e.g. Cinder's volume_type="")."""
    return {key: value for key, value in values.items() if value not in (None, "")}


def not_none(**values) -> dict:
    """The keyword arguments that were given, for updates where "" is a real value."""
    return {key: value for key, value in values.items() if value is not None}
