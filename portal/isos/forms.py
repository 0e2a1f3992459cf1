from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.saving import secret_form_field
from portal.isos.models import FtpServer


class FtpServerForm(forms.ModelForm):
    """Secrets are never shown back: blank keeps the stored value (services.save_ftp_server)."""

    password = secret_form_field(_("password"))
    ssh_password = secret_form_field(_("SSH password"))
    ssh_private_key = secret_form_field(
        _("SSH private key"), widget=forms.Textarea(attrs={"rows": 4})
    )

    class Meta:
        model = FtpServer
        fields = [
            "name", "cloud", "host", "port", "username", "password", "base_dir", "passive",
            "use_tls", "ssh_host", "ssh_port", "ssh_username", "ssh_password",
            "ssh_private_key", "ssh_host_key", "ssh_base_dir",
        ]  # fmt: skip
