"""What every app shares: base models, the Task record and the audit log."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal.core import task_messages
from portal.core.fields import EncryptedTextField


class TimestampedModel(models.Model):
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class CloudResourceModel(TimestampedModel):
    """A row mirroring an object in a cloud, matched to it by `backend_id`.

    `backend_id` is null until the cloud has created the object, and unique per cloud.
    """

    cloud = models.ForeignKey(
        "clouds.Cloud", on_delete=models.PROTECT, related_name="+", verbose_name=_("cloud")
    )
    backend_id = models.CharField(_("backend id"), max_length=64, null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["cloud", "backend_id"], name="%(app_label)s_%(class)s_unique_backend_id"
            )
        ]


class Task(ConcurrentTransitionMixin, models.Model):
    """One asynchronous operation on a cloud, with its progress (seed 001's server tasks).

    Created by a service before the Celery job is queued; moved by the worker through
    queued -> running -> succeeded | failed. The state field is a state machine, and
    ConcurrentTransitionMixin refuses a transition from a stale copy, so the worker and
    the stuck-task janitor cannot both finish one Task.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    FINISHED_STATES = (State.SUCCEEDED, State.FAILED)

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    # Which operation of its kind (a server's power operation: "stop", "start"...).
    action = models.CharField(_("action"), max_length=32, blank=True)
    state = FSMField(_("state"), default=State.QUEUED, choices=State.choices, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    # The message as a code and parameters (core.task_messages), rendered when shown.
    message_code = models.CharField(_("message code"), max_length=100, blank=True)
    message_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("tenant"),
    )
    target_type = models.CharField(_("target type"), max_length=50, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True, db_index=True)
    requested_by = models.CharField(_("requested by"), max_length=200, blank=True)
    celery_id = models.CharField(_("Celery id"), max_length=64, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    # Renewed while a worker runs the job: a redelivered job finding it recent leaves the
    # Task to that worker (see core.services._claim).
    heartbeat = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    # What a read of the cloud found (a console URL, a console log), for its requester.
    result = models.JSONField(_("result"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["target_type", "target_id", "-created"])]

    def __str__(self):
        return f"{self.kind} {self.target_id} ({self.get_state_display()})"

    @property
    def task_id(self):
        return str(self.id)

    @property
    def message(self) -> str:
        """The message in the active language (the reader's)."""
        return task_messages.render(self.message_code, self.message_params)

    def set_message(self, message):
        """Keep `message` (a TaskMessage, Template, PortalError or text) as code and params."""
        message = task_messages.as_message(message)
        self.message_code, self.message_params = message.code, message.params

    @property
    def is_finished(self):
        return self.state in self.FINISHED_STATES

    @transition(field=state, source=State.QUEUED, target=State.RUNNING)
    def start(self):
        self.started = timezone.now()

    @transition(field=state, source=[State.QUEUED, State.RUNNING], target=State.SUCCEEDED)
    def succeed(self, message=""):
        self.progress = 100
        self.set_message(message)
        self.finished = timezone.now()

    @transition(field=state, source=[State.QUEUED, State.RUNNING], target=State.FAILED)
    def fail(self, code, message):
        self.error_code = code[:50]
        self.set_message(message)
        self.finished = timezone.now()


class AuditEvent(models.Model):
    """Who did what through the API or the admin, and how it ended."""

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor_type = models.CharField(_("actor type"), max_length=20)
    actor = models.CharField(_("actor"), max_length=200, blank=True)
    tenant_id = models.CharField(_("tenant"), max_length=20, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=200)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    object_id = models.CharField(_("object id"), max_length=100, blank=True)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    request_id = models.CharField(_("request id"), max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-time"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.actor_type}:{self.actor} {self.action}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an Idempotency-Key, replayed to retries.

    `caller` is a hash of the credentials (never the key itself), so two callers can use
    the same Idempotency-Key without meeting. The body is encrypted: it may hold a secret
    shown once (a new tenant's API key).
    """

    caller = models.CharField(_("caller"), max_length=64)
    key = models.CharField(_("idempotency key"), max_length=200)
    request_hash = models.CharField(_("request hash"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True)
    response_body = EncryptedTextField(_("response body"), null=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="one_answer_per_key")]

    def __str__(self):
        return self.key
