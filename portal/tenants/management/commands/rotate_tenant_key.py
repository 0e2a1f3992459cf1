from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.core.principals import COMMAND_ACTOR
from portal.tenants import keys
from portal.tenants.management.commands._output import print_key_last
from portal.tenants.models import Tenant


class Command(BaseCommand):
    help = _("Give a tenant a new API key and revoke its older ones; prints the new key.")

    def add_arguments(self, parser):
        parser.add_argument("tenant_id", help=_("The tenant's id, e.g. t-0000000001."))

    def handle(self, *args, tenant_id, **options):
        tenant = Tenant.objects.filter(pk=tenant_id).first()
        if tenant is None:
            raise CommandError(_("There is no tenant %(id)s.") % {"id": tenant_id})
        key = keys.rotate_tenant_key(tenant, actor=COMMAND_ACTOR)
        print_key_last(
            self,
            _("New API key of %(id)s (older keys are revoked); it is shown only this once:")
            % {"id": tenant.tenant_id},
            key,
        )
