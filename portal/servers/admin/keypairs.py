from django.contrib import admin

from portal.core.admin_base import ReadOnlyAdmin
from portal.servers.models import KeyPair


@admin.register(KeyPair)
class KeyPairAdmin(ReadOnlyAdmin):
    """Key pairs are made and deleted by their tenants through the API (a Task each)."""

    list_display = ["name", "tenant", "cloud", "key_type", "fingerprint", "status", "created"]
    list_filter = ["status", "key_type", "cloud"]
    search_fields = ["name", "keypair_id", "fingerprint", "tenant__tenant_id"]
    list_select_related = ["tenant", "cloud"]
