from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.core.errors import NotFound
from portal.tenants import keys


class Command(BaseCommand):
    help = _("Revoke a tenant or platform API key, named by its prefix (or the whole key).")

    def add_arguments(self, parser):
        parser.add_argument("prefix", help=_("The part of the key before the dot."))

    def handle(self, *args, prefix, **options):
        try:
            api_key = keys.find_key(prefix)
        except NotFound as exc:
            raise CommandError(exc.message) from exc
        if api_key.revoked:
            self.stdout.write(_("Key %(prefix)s was already revoked.") % {"prefix": api_key.prefix})
            return
        keys.revoke_key(api_key)
        self.stdout.write(
            _("Key %(prefix)s (%(name)s) revoked.")
            % {"prefix": api_key.prefix, "name": api_key.name}
        )
