from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.core.errors import PortalError
from portal.tenants import keys
from portal.tenants.management.commands._output import print_key_last


class Command(BaseCommand):
    help = _("Create an API key for the platform (it registers tenants); prints it once.")

    def add_arguments(self, parser):
        parser.add_argument("name", help=_("A name to recognise the key by."))

    def handle(self, *args, name, **options):
        try:
            api_key, key = keys.create_platform_key(name)
        except PortalError as exc:
            raise CommandError(exc.message) from exc
        print_key_last(
            self,
            _("Platform key %(name)s (prefix %(prefix)s); it is shown only this once:")
            % {"name": api_key.name, "prefix": api_key.prefix},
            key,
        )
