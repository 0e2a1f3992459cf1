from django import forms
from django.utils.translation import gettext_lazy as _

from portal.clouds.mappings import azure_ref_problem
from portal.clouds.models import (
    AZURE_FIELDS,
    AzureMapping,
    AzureStopMode,
    Cloud,
    missing_settings,
)
from portal.clouds.services import SECRET_FIELDS, setting_needed
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
AZURE_SETTINGS = [*AZURE_FIELDS, "azure_blob_endpoint", "azure_stop_mode"]
OPTION_FIELDS = ["options"]


class CloudForm(forms.ModelForm):
    password = secret_form_field(
        _("admin password"), help_text=_("Write-only: leave blank to keep the stored password.")
    )
    azure_client_secret = secret_form_field(
        _("Azure client secret"),
        help_text=_("Write-only: leave blank to keep the stored secret."),
    )
    azure_storage_key = secret_form_field(
        _("Azure storage account key"),
        help_text=_("Write-only: leave blank to keep the stored key."),
    )

    class Meta:
        model = Cloud
        fields = GENERAL_FIELDS + CREDENTIAL_FIELDS + AZURE_SETTINGS + OPTION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only Azure clouds use it: a form of another kind may leave it out (the default).
        self.fields["azure_stop_mode"].required = False

    def clean_azure_stop_mode(self):
        return self.cleaned_data["azure_stop_mode"] or AzureStopMode.DEALLOCATE

    def clean(self):
        """Each setting the kind needs, on its field (as save_cloud checks); a blank
        secret counts as the stored one."""
        cleaned = super().clean()
        stored = {name: getattr(self.instance, name) for name in SECRET_FIELDS}
        given = {name: value for name, value in cleaned.items() if value}
        for name in missing_settings(cleaned.get("kind"), {**stored, **given}):
            self.add_error(name, setting_needed(cleaned["kind"]))
        return cleaned


class AzureMappingForm(forms.ModelForm):
    """A mapping, checked as the API checks it (clouds.mappings)."""

    class Meta:
        model = AzureMapping
        fields = ["cloud", "kind", "name", "azure_ref"]

    def clean(self):
        cleaned = super().clean()
        problem = azure_ref_problem(cleaned.get("kind"), cleaned.get("azure_ref"))
        if problem and "azure_ref" not in self.errors:
            self.add_error("azure_ref", problem)
        return cleaned
