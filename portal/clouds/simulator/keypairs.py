"""Nova key pairs: an SSH public key under a name, for servers' key_name."""

from django.utils.translation import gettext as _

from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.refusals import conflict
from portal.clouds.simulator.service import SimulatedService

Kind = SimulatedObject.Kind


class KeypairOperations(SimulatedService):
    group = "compute"

    def import_keypair(self, name: str, public_key: str) -> None:
        if self._owned(Kind.KEYPAIR).filter(name=name).exists():
            raise conflict(_("A key pair named %(name)s already exists."), name=name)
        self._create(Kind.KEYPAIR, name=name, data={"public_key": public_key})

    def delete_keypair(self, name: str) -> None:
        self._owned(Kind.KEYPAIR).filter(name=name).delete()
