from django import forms
from django.utils.translation import gettext_lazy as _

from portal.clouds.models import Cloud


class CloudForm(forms.ModelForm):
    password = forms.CharField(
        label=_("admin password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Write-only: leave blank to keep the stored password."),
    )

    class Meta:
        model = Cloud
        fields = [
            "name",
            "kind",
            "region",
            "enabled",
            "is_default",
            "auth_url",
            "username",
            "password",
            "project_name",
            "user_domain_name",
            "project_domain_name",
            "region_name",
            "verify_tls",
            "options",
        ]
