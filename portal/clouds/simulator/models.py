"""The simulated cloud's state: one generic table of objects and one of injected faults."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SimulatedObject(models.Model):
    """One object of a simulated cloud (a Keystone project, a Nova server, a Neutron port...).

    What differs between kinds lives in `data`; the columns are what the simulator filters
    on. `parent_id` links an object to the one it belongs to or hangs on: the domain of a
    project, user or role, the user of a role assignment, the flavor of a flavor access,
    the network of a subnet or port, the security group of a rule, the server a volume is
    attached to, the share network of a share or share server, the share of an access rule,
    the S3 user of an S3 key or bucket.
    """

    class Kind(models.TextChoices):
        DOMAIN = "domain", _("domain")
        PROJECT = "project", _("project")
        USER = "user", _("user")
        ROLE = "role", _("role")
        ROLE_ASSIGNMENT = "role_assignment", _("role assignment")
        IMAGE = "image", _("image")
        FLAVOR = "flavor", _("flavor")
        FLAVOR_ACCESS = "flavor_access", _("flavor access")
        SERVER = "server", _("server")
        VOLUME = "volume", _("volume")
        NETWORK = "network", _("network")
        SUBNET = "subnet", _("subnet")
        PORT = "port", _("port")
        ROUTER = "router", _("router")
        SECURITY_GROUP = "security_group", _("security group")
        RULE = "rule", _("security group rule")
        KEYPAIR = "keypair", _("key pair")
        FLOATING_IP = "floating_ip", _("floating IP")
        SHARE = "share", _("share")
        SHARE_NETWORK = "share_network", _("share network")
        SHARE_SERVER = "share_server", _("share server")
        SHARE_ACCESS = "share_access", _("share access rule")
        S3_USER = "s3_user", _("S3 user")
        S3_KEY = "s3_key", _("S3 key")
        BUCKET = "bucket", _("bucket")

    cloud = models.ForeignKey(
        "clouds.Cloud", on_delete=models.CASCADE, related_name="+", verbose_name=_("cloud")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    backend_id = models.CharField(_("backend id"), max_length=64)
    project_id = models.CharField(_("project id"), max_length=64, blank=True)
    parent_id = models.CharField(_("parent id"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=32, blank=True)
    task_state = models.CharField(_("task state"), max_length=32, blank=True)
    # A slow operation in progress: what the object becomes (`pending`) at `ready_at`.
    pending = models.JSONField(_("pending transition"), null=True, blank=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("simulated object")
        verbose_name_plural = _("simulated objects")
        constraints = [
            models.UniqueConstraint(
                fields=["cloud", "backend_id"], name="simulated_object_unique_backend_id"
            )
        ]
        indexes = [
            models.Index(fields=["cloud", "kind", "project_id"], name="simobj_kind_project"),
            models.Index(fields=["cloud", "kind", "parent_id"], name="simobj_kind_parent"),
            models.Index(fields=["cloud", "kind", "name"], name="simobj_kind_name"),
            models.Index(
                fields=["cloud", "ready_at"],
                condition=Q(ready_at__isnull=False),
                name="simobj_pending",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.name or self.backend_id}"


class SimulatedFault(models.Model):
    """A failure the next call(s) of one driver operation will raise (tests of failure paths).

    `remaining` is how many calls it still fails; null means every call until cleared.
    """

    cloud = models.ForeignKey(
        "clouds.Cloud", on_delete=models.CASCADE, related_name="+", verbose_name=_("cloud")
    )
    operation = models.CharField(_("operation"), max_length=100)
    mode = models.CharField(_("mode"), max_length=20)
    remaining = models.PositiveIntegerField(_("remaining calls"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("simulated fault")
        verbose_name_plural = _("simulated faults")
        indexes = [models.Index(fields=["cloud", "operation"], name="simfault_operation")]

    def __str__(self):
        return f"{self.operation}: {self.mode}"
