from django import forms
from django.utils.translation import gettext_lazy as _

from portal.webhooks.models import SECRET_MIN_LENGTH, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        strip=False,
        min_length=SECRET_MIN_LENGTH,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Write-only: leave blank to keep the stored secret."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "secret", "description", "enabled"]

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        if not secret and self.instance._state.adding:
            raise forms.ValidationError(_("A new endpoint needs its signing secret."))
        return secret
