from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectStorageConfig(AppConfig):
    name = "portal.objectstorage"
    label = "objectstorage"
    verbose_name = _("object storage")
