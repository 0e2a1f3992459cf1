"""The platform's webhook endpoints, and one delivery per (Task end, endpoint)."""

import uuid

from django.core.validators import MinLengthValidator, URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.fields import EncryptedTextField
from portal.core.models import TimestampedModel

SECRET_MIN_LENGTH = 16
# Only plain web URLs: no file://, ftp:// or gopher:// for a worker to fetch (SSRF).
WEB_URL = URLValidator(schemes=["http", "https"], message=_("Enter an http:// or https:// URL."))


class WebhookEndpoint(TimestampedModel):
    """A URL of the platform's where every Task end is POSTed, signed with `secret`.

    Disabling an endpoint pauses its deliveries: they wait, pending, until it is enabled.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    url = models.URLField(_("URL"), max_length=2000, validators=[WEB_URL])
    secret = EncryptedTextField(
        _("signing secret"), validators=[MinLengthValidator(SECRET_MIN_LENGTH)]
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.CharField(_("created by"), max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["created"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.description or str(self.id)

    @property
    def webhook_id(self):
        return str(self.id)


class Delivery(models.Model):
    """One Task end to send to one endpoint: its frozen body, and how sending went.

    pending -> delivered (a 2xx answer) | failed (every allowed attempt refused);
    a re-send makes it pending again for one more attempt.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    class Event(models.TextChoices):
        TASK_SUCCEEDED = "task.succeeded", _("task succeeded")
        TASK_FAILED = "task.failed", _("task failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    task = models.ForeignKey(
        "core.Task",
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
        verbose_name=_("task"),
    )
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"))
    # When a pending delivery is due; while an attempt runs, the end of its lease.
    next_attempt = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    delivered = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "task"], name="one_delivery_per_task_end")
        ]
        indexes = [models.Index(fields=["state", "next_attempt"])]

    def __str__(self):
        return f"{self.event} {self.task_id}"

    @property
    def delivery_id(self):
        return str(self.id)
