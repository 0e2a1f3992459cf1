"""The admin's form of the CD drive: the server to mount an ISO on."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.servers.cdrom.services import MOUNTABLE_STATES, holding_mounts
from portal.servers.models import Server


class MountForm(forms.Form):
    """ "Mount on server…": the servers of the ISO's cloud that can take it now (ready,
    running or stopped, no ISO in their drive); the service checks again when it runs."""

    server = forms.ModelChoiceField(Server.objects.none(), label=_("server"))

    def __init__(self, iso, *args, **kwargs):
        super().__init__(*args, **kwargs)
        busy = holding_mounts().values("server")
        self.fields["server"].queryset = (
            Server.objects.filter(
                cloud=iso.cloud, status=Server.Status.READY, runtime_state__in=MOUNTABLE_STATES
            )
            .exclude(pk__in=busy)
            .select_related("tenant")
            .order_by("name")
        )
