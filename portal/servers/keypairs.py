"""Key pairs: a tenant imports an SSH public key (validated) or has the
portal generate a pair (the private key is in the answer once, never stored); a Celery
job registers the public key in the cloud for the tenant's user (workflows/keypairs.py),
so that servers can name it in `key_name`. Deleting removes it from the cloud first."""

import base64
import hashlib
import re

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.core.errors import Conflict, ValidationFailed
from portal.core.principals import tenant_scope
from portal.core.services import create_task, enqueue, on_task_abandoned
from portal.servers.models import KeyPair
from portal.tenants.regions import require_ready

IMPORT_KIND = "keypair.import"
DELETE_KIND = "keypair.delete"
TARGET = "keypair"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@ -]{1,255}$")  # what Nova accepts
MIN_RSA_BITS = 2048
GENERATED_RSA_BITS = 3072
KEY_TYPES = ("ed25519", "rsa")


def keypairs_visible_to(user):
    tenant = tenant_scope(user)
    keypairs = KeyPair.objects.all()
    return keypairs if tenant is None else keypairs.filter(tenant=tenant)


# ---- keys ------------------------------------------------------------------------------


def parse_public_key(text: str) -> tuple[str, str, str]:
    """(normalised key "type base64", key type, SHA256 fingerprint) of an OpenSSH public
    key line; 400 naming the problem otherwise."""
    parts = (text or "").strip().split()
    try:
        key = serialization.load_ssh_public_key(" ".join(parts[:2]).encode())
    except (ValueError, TypeError, UnsupportedAlgorithm):
        key = None
    if key is None or len(parts) < 2:
        raise _bad_key(_("This is not an OpenSSH public key (ssh-ed25519, ssh-rsa, ecdsa-...)."))
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        raise _bad_key(_("An RSA key needs at least %(bits)d bits.") % {"bits": MIN_RSA_BITS})
    if not isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey):
        raise _bad_key(_("Use an ed25519, RSA or ECDSA key."))
    return f"{parts[0]} {parts[1]}", parts[0], fingerprint(parts[1])


def fingerprint(blob_base64: str) -> str:
    """OpenSSH's SHA256 fingerprint of a public key's base64 blob."""
    digest = hashlib.sha256(base64.b64decode(blob_base64)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def generate(key_type: str) -> tuple[str, str]:
    """A new key pair: (OpenSSH public key line, OpenSSH private key PEM)."""
    if key_type == "rsa":
        private = rsa.generate_private_key(public_exponent=65537, key_size=GENERATED_RSA_BITS)
    else:
        private = ed25519.Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    return public.decode(), pem.decode()


def _bad_key(problem):
    return ValidationFailed(problem, fields={"public_key": [problem]})


# ---- create and delete -------------------------------------------------------------------


def create_keypair(tenant, cloud, name, *, public_key="", key_type="ed25519", actor):
    """Import `public_key`, or generate a pair of `key_type` when none is given; queue its
    registration in the cloud. Returns (key pair, Task, private key or ""). Refused (409)
    in a region where the tenant is not set up (yet)."""
    require_ready(tenant, cloud)
    name = (name or "").strip()
    if not NAME_PATTERN.match(name):
        problem = _("1 to 255 letters, digits, spaces and _ . @ -")
        raise ValidationFailed(problem, fields={"keypair_name": [problem]})
    private_key = ""
    if not public_key:
        if key_type not in KEY_TYPES:
            raise ValidationFailed(fields={"key_type": [_("ed25519 or rsa.")]})
        public_key, private_key = generate(key_type)
    public_key, parsed_type, print_ = parse_public_key(public_key)
    try:
        with transaction.atomic():
            keypair = KeyPair.objects.create(
                tenant=tenant, cloud=cloud, name=name, public_key=public_key,
                key_type=parsed_type, fingerprint=print_,
            )  # fmt: skip
            task = _new_keypair_task(keypair, IMPORT_KIND, actor)
            enqueue(task, "portal.servers.tasks.import_keypair")
    except IntegrityError as exc:
        raise Conflict(
            _("A key pair named %(name)s exists already.") % {"name": name}, code="name_taken"
        ) from exc
    return keypair, task, private_key


def delete_keypair(keypair, *, actor):
    """Queue its removal from the cloud (then from the portal); 409 while one runs."""
    with transaction.atomic():
        taken = KeyPair.objects.filter(
            pk=keypair.pk, status__in=[KeyPair.Status.READY, KeyPair.Status.FAILED]
        ).update(status=KeyPair.Status.DELETING)
        if not taken:
            raise Conflict(
                _("The key pair is being registered or deleted; try again when that ends."),
                code="invalid_state",
            )
        keypair.status = KeyPair.Status.DELETING
        task = _new_keypair_task(keypair, DELETE_KIND, actor)
        enqueue(task, "portal.servers.tasks.delete_keypair")
    return keypair, task


def _new_keypair_task(keypair, kind, actor):
    task = create_task(
        kind, target_type=TARGET, target_id=keypair.keypair_id, tenant=keypair.tenant, actor=actor
    )
    KeyPair.objects.filter(pk=keypair.pk).update(current_task=task)
    keypair.current_task = task
    return task


def check_usable(tenant, cloud, key_name) -> None:
    """400 unless the tenant has a ready key pair of that name in the cloud."""
    ready = KeyPair.objects.filter(
        tenant=tenant, cloud=cloud, name=key_name, status=KeyPair.Status.READY
    )
    if not ready.exists():
        problem = _("No ready key pair of yours has this name in this region.")
        raise ValidationFailed(problem, fields={"key_name": [problem]})


# ---- what the stuck-task janitor releases ------------------------------------------------
# Also run by a job that cannot open a cloud driver (no cloud user yet).


@on_task_abandoned(IMPORT_KIND)
def _abandoned_import(task):
    KeyPair.objects.filter(keypair_id=task.target_id, status=KeyPair.Status.CREATING).update(
        status=KeyPair.Status.FAILED, status_message=task.message[:500]
    )


@on_task_abandoned(DELETE_KIND)
def _abandoned_delete(task):
    KeyPair.objects.filter(keypair_id=task.target_id, status=KeyPair.Status.DELETING).update(
        status=KeyPair.Status.READY
    )
