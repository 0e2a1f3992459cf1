"""The admin's forms of object storage: an object store (its admin secret write-only), a
bucket for a platform user, an S3 user's quota and the confirmation of a key rotation.
Each only gathers the input; the request side (services.py, stores.py) checks it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.saving import secret_form_field
from portal.network.forms import RefusalForm
from portal.objectstorage.models import ObjectStore
from portal.objectstorage.services import MAX_QUOTA_GB, MAX_QUOTA_OBJECTS, CreateRequest
from portal.tenants.models import Tenant

UNLIMITED_HELP = _("-1 means unlimited.")


class ObjectStoreForm(forms.ModelForm):
    """The admin secret is never shown back: blank keeps the stored one
    (stores.save_store); a new store needs one."""

    secret_key = secret_form_field(_("admin secret key"))

    class Meta:
        model = ObjectStore
        fields = [
            "name", "cloud", "kind", "admin_url", "s3_url", "access_key", "secret_key",
            "verify_tls", "timeout_seconds", "default_max_size_in_g", "default_max_objects",
            "enabled",
        ]  # fmt: skip

    def clean_secret_key(self):
        secret = self.cleaned_data["secret_key"]
        if not secret and self.instance.pk is None:
            raise forms.ValidationError(_("This field is required."), code="required")
        return secret


def size_field(label, required=True):
    return forms.IntegerField(
        label=label, min_value=-1, max_value=MAX_QUOTA_GB, required=required,
        help_text=UNLIMITED_HELP,
    )  # fmt: skip


def objects_field(label, required=True):
    return forms.IntegerField(
        label=label, min_value=-1, max_value=MAX_QUOTA_OBJECTS, required=required,
        help_text=UNLIMITED_HELP,
    )  # fmt: skip


class QuotaForm(RefusalForm):
    max_size_in_g = size_field(_("quota (GB)"))
    max_objects = objects_field(_("quota (objects)"))


class RotateKeyForm(RefusalForm):
    """Nothing to fill in: the page asks for the confirmation."""


class BucketCreateForm(RefusalForm):
    tenant = forms.ModelChoiceField(
        Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("tenant_id"),
        label=_("tenant"),
    )
    platform_userid = forms.CharField(
        label=_("platform user id"),
        max_length=64,
        help_text=_("The S3 user is named after it; it is made with its first bucket."),
    )
    store = forms.ModelChoiceField(
        ObjectStore.objects.filter(enabled=True).select_related("cloud"),
        label=_("region's object store"),
    )
    bucket_name = forms.CharField(label=_("bucket name"), max_length=63)
    bucket_policy = forms.CharField(
        label=_("policy"),
        initial="private",
        max_length=20480,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("private, public-read, or a JSON bucket policy document."),
    )
    user_max_size_in_g = size_field(_("user quota (GB)"), required=False)
    user_max_objects = objects_field(_("user quota (objects)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        note = _("Only for a new S3 user; blank takes the store's default. -1 means unlimited.")
        for name in ("user_max_size_in_g", "user_max_objects"):
            self.fields[name].help_text = note

    def to_request(self) -> CreateRequest:
        data = self.cleaned_data
        return CreateRequest(
            uid=data["platform_userid"],
            bucket_name=data["bucket_name"],
            bucket_policy=data["bucket_policy"],
            region=data["store"].cloud.region,
            user_max_size_in_g=data["user_max_size_in_g"],
            user_max_objects=data["user_max_objects"],
        )
