from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = _("Tasks and audit")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Every app's Task sentences, so a Task is shown in any process (not only the
        # worker that ran it).
        autodiscover_modules("task_messages")
        from django.db.backends.signals import connection_created

        from portal.core.checks import warn_when_unset
        from portal.core.list_cache import count_writes_on
        from portal.core.logging import connect_job_signals
        from portal.core.metrics import register_queue_length, serve_worker_metrics

        # Every write raises its table's generation in the list cache.
        connection_created.connect(count_writes_on, dispatch_uid="list-cache")
        register_queue_length()
        connect_job_signals()
        serve_worker_metrics()
        warn_when_unset(
            "FIELD_ENCRYPTION_KEYS",
            "FIELD_ENCRYPTION_KEYS is empty: stored secrets (cloud and tenant passwords) are "
            "encrypted with a key derived from SECRET_KEY, so changing SECRET_KEY would make "
            "them unreadable.",
            hint="Set FIELD_ENCRYPTION_KEYS to one or more Fernet keys (newest first).",
            id="core.W001",
        )
