from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.saving import secret_form_field
from portal.webhooks.models import SECRET_MIN_LENGTH, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    secret = secret_form_field(
        _("signing secret"),
        help_text=_("Write-only: leave blank to keep the stored secret."),
        min_length=SECRET_MIN_LENGTH,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "secret", "description", "enabled"]

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        if not secret and self.instance._state.adding:
            raise forms.ValidationError(_("A new endpoint needs its signing secret."))
        return secret
