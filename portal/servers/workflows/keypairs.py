"""Key pairs, the cloud side: registering a tenant's public key with its own cloud user,
and removing it (tasks.py runs these with the tenant's driver)."""

from portal.servers.models import KeyPair
from portal.servers.task_messages import KeyPairMessages as M


def register(task, keypair, driver) -> str:
    try:
        driver.compute.import_keypair(keypair.name, keypair.public_key)
    except Exception as exc:
        _failed(keypair, getattr(exc, "message", ""))
        raise
    KeyPair.objects.filter(pk=keypair.pk).update(status=KeyPair.Status.READY, status_message="")
    return M.READY(name=keypair.name)


def unregister(task, keypair, driver) -> str:
    try:
        driver.compute.delete_keypair(keypair.name)
    except Exception:
        KeyPair.objects.filter(pk=keypair.pk).update(status=KeyPair.Status.READY)
        raise
    keypair.delete()
    return M.DELETED(name=keypair.name)


def _failed(keypair, reason):
    KeyPair.objects.filter(pk=keypair.pk).update(
        status=KeyPair.Status.FAILED, status_message=str(reason)[:500]
    )
