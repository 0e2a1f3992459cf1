from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "portal.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from portal.core.services import on_task_finished
        from portal.webhooks.services import record_deliveries

        on_task_finished(record_deliveries)
