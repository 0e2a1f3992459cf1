from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.core.errors import PortalError
from portal.core.models import Task
from portal.core.principals import COMMAND_ACTOR
from portal.core.services import MAX_WAIT_SECONDS, wait_for_task
from portal.tenants import signup
from portal.tenants.management.commands._output import print_key_last


class Command(BaseCommand):
    help = _("Register a tenant (as the API does) and print its id and API key.")

    def add_arguments(self, parser):
        parser.add_argument("name", help=_("The tenant's name."))
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            metavar="SECONDS",
            help=_("Wait up to this many seconds (at most %(max)d) for it to be set up.")
            % {"max": MAX_WAIT_SECONDS},
        )

    def handle(self, *args, name, wait, **options):
        try:
            tenant, key, task = signup.register_tenant(name, actor=COMMAND_ACTOR)
        except PortalError as exc:
            raise CommandError(exc.message) from exc
        if wait:
            task = wait_for_task(task, wait)
        self.stdout.write(_("Tenant %(id)s registered.") % {"id": tenant.tenant_id})
        self.stdout.write(
            _("Set-up task %(task)s: %(state)s %(message)s")
            % {"task": task.task_id, "state": task.get_state_display(), "message": task.message}
        )
        print_key_last(self, _("Its API key; it is shown only this once:"), key)
        if task.state == Task.State.FAILED:
            raise CommandError(_("Setting the tenant up failed: %(m)s") % {"m": task.message})
