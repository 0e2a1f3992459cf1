from django import forms
from django.utils.translation import gettext_lazy as _

from portal.clouds.models import Cloud
from portal.core.saving import secret_form_field

# The form's fields in the admin's groups (CloudAdmin.fieldsets).
GENERAL_FIELDS = ["name", "kind", "region", "enabled", "is_default"]
CREDENTIAL_FIELDS = [
    "auth_url",
    "username",
    "password",
    "project_name",
    "user_domain_name",
    "project_domain_name",
    "region_name",
    "verify_tls",
]
OPTION_FIELDS = ["options"]


class CloudForm(forms.ModelForm):
    password = secret_form_field(
        _("admin password"), help_text=_("Write-only: leave blank to keep the stored password.")
    )

    class Meta:
        model = Cloud
        fields = GENERAL_FIELDS + CREDENTIAL_FIELDS + OPTION_FIELDS
