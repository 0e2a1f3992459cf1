from django import forms
from django.utils.translation import gettext_lazy as _

from portal.isos.models import FtpServer

WRITE_ONLY_HELP = _("Write-only: leave blank to keep the stored value.")


def _secret(label, widget):
    return forms.CharField(
        label=label, required=False, strip=False, widget=widget, help_text=WRITE_ONLY_HELP
    )


class FtpServerForm(forms.ModelForm):
    """Secrets are never shown back: blank keeps the stored value (services.save_ftp_server)."""

    password = _secret(
        _("password"), forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
    )
    ssh_password = _secret(
        _("SSH password"), forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
    )
    ssh_private_key = _secret(_("SSH private key"), forms.Textarea(attrs={"rows": 4}))

    class Meta:
        model = FtpServer
        fields = [
            "name", "cloud", "host", "port", "username", "password", "base_dir", "passive",
            "use_tls", "ssh_host", "ssh_port", "ssh_username", "ssh_password",
            "ssh_private_key", "ssh_host_key", "ssh_base_dir",
        ]  # fmt: skip
