"""Object storage in the admin: each region's object store (its admin secret write-only,
"Test the connection", "Sync now"); the S3 users with their usage against their quota,
their buckets and the live progress of their latest Task, "Create bucket…", "Set quota…"
and "Rotate key…"; the buckets, view only. Every form calls the request side
(services.py, stores.py), the API's one code path. No secret key is ever shown here."""

from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal.clouds.admin_actions import sync_now_action
from portal.core.admin_base import (
    ObjectToolMixin,
    ReadOnlyAdmin,
    admin_page,
    progress_bar,
)
from portal.core.bars import usage_bar
from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.objectstorage import forms, services, stores
from portal.objectstorage.models import GB, Bucket, ObjectStore, OssUser

FORM_TEMPLATE = "admin/objectstorage/form.html"
ADMIN_API_FIELDS = [
    "admin_url", "s3_url", "access_key", "secret_key", "verify_tls", "timeout_seconds",
]  # fmt: skip
CHECK_FIELDS = ["checked_at", "check_ok", "check_code", "check_message"]


def quota_bar(used, limit, label, unit=""):
    """`used` against `limit` as the admin's usage bar; a negative limit (or a quota RGW
    does not enforce) is unlimited: the figure alone."""
    if limit is None or limit < 0:
        figure = f"{used} {unit}".strip()
        return format_html('<span class="usage-figures">{} ({})</span>', figure, _("unlimited"))
    return render_to_string(
        "admin/portal/usage_bar.html", {"bar": usage_bar(limit, used, label, unit)}
    )


def in_gb(size_bytes) -> float:
    return round(size_bytes / GB, 1)


def posted(request):
    """The form's data when sent (the key rotation's form has no fields), else unbound."""
    return request.POST if request.method == "POST" else None


def enforced(limit, quota_enabled):
    return limit if quota_enabled else -1


@admin.register(ObjectStore)
class ObjectStoreAdmin(admin.ModelAdmin):
    """Saved and deleted through stores.py; a refusal is shown, never a server error."""

    form = forms.ObjectStoreForm
    list_display = [
        "name", "region", "kind", "s3_url", "enabled", "check_ok", "check_code", "checked_at",
    ]  # fmt: skip
    list_filter = ["kind", "enabled", "check_ok"]
    search_fields = ["name", "cloud__region", "s3_url", "admin_url"]
    list_select_related = ["cloud"]
    fieldsets = [
        (None, {"fields": ["name", "cloud", "kind", "enabled"]}),
        (_("Admin API"), {"fields": ADMIN_API_FIELDS}),
        (_("Quota of new S3 users"), {"fields": ["default_max_size_in_g", "default_max_objects"]}),
        (_("Last check"), {"fields": CHECK_FIELDS}),
    ]
    readonly_fields = CHECK_FIELDS
    actions = [
        "test_connection",
        sync_now_action("objectstorage.sync", _("Sync now (the regions of the selected stores)")),
    ]

    @admin.display(description=_("region"), ordering="cloud__region")
    def region(self, store):
        return store.cloud.region

    def get_actions(self, request):
        # a bulk delete would go around stores.delete_store
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        stores.save_store(obj, form.cleaned_data)

    def delete_model(self, request, obj):
        stores.delete_store(obj)

    def changeform_view(self, request, *args, **kwargs):
        return self._refusal_shown(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._refusal_shown(request, super().delete_view, *args, **kwargs)

    def _refusal_shown(self, request, view, *args, **kwargs):
        """The form checks what it can; what only the service finds (e.g. a store made
        meanwhile for the same region) comes back as the page with the refusal."""
        try:
            return view(request, *args, **kwargs)
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return redirect(request.get_full_path())

    @admin.action(description=_("Test the connection"))
    def test_connection(self, request, queryset):
        for store in queryset:
            check = stores.check_connection(
                store, actor=actor_of(request.user), wait=stores.CHECK_WAIT_SECONDS
            )
            if check.ok:
                self.message_user(request, f"{store.name}: {check.message}", messages.SUCCESS)
            else:
                level = messages.WARNING if check.code == "pending" else messages.ERROR
                message = f"{store.name}: {check.code}: {check.message}"
                self.message_user(request, message, level)


class UsageColumns:
    """An S3 user's or a bucket's use against its quota, as bars."""

    @admin.display(description=_("size"), ordering="used_bytes")
    def size_usage(self, row):
        return quota_bar(in_gb(row.used_bytes), self.size_limit_gb(row), _("size"), "GB")

    @admin.display(description=_("objects"), ordering="used_objects")
    def objects_usage(self, row):
        limit = enforced(row.max_objects, row.quota_enabled)
        return quota_bar(row.used_objects, limit, _("objects"))

    @admin.display(description=_("region"), ordering="store__cloud__region")
    def region(self, row):
        return row.store.cloud.region


@admin.register(OssUser)
class OssUserAdmin(UsageColumns, ObjectToolMixin, ReadOnlyAdmin):
    """S3 users are made with their first bucket, and changed, as Tasks (here or through
    the API); their usage is RGW's as last read."""

    object_tool = ("admin:objectstorage_ossuser_create", _("Create bucket…"))
    list_display = [
        "uid", "tenant", "region", "size_usage", "objects_usage", "total_buckets",
        "status", "progress", "read_at",
    ]  # fmt: skip
    list_filter = ["status", "store", "locked", "suspended"]
    search_fields = ["uid", "display_name", "tenant__tenant_id", "tenant__name"]
    list_select_related = ["tenant", "store__cloud", "current_task"]
    fieldsets = [
        (None, {"fields": ["uid", "display_name", "tenant", "store", "region", "status",
                           "progress", "operations"]}),
        (_("Usage and quota"), {"fields": ["size_usage", "objects_usage", "quota_enabled",
                                           "total_buckets", "read_at"]}),
        (_("Buckets"), {"fields": ["bucket_table"]}),
        (None, {"fields": ["access_key", "suspended", "locked", "missing_since", "created",
                           "updated"]}),
    ]  # fmt: skip
    readonly_fields = [name for _title, group in fieldsets for name in group["fields"]]

    def get_queryset(self, request):
        return services.oss_users_visible_to(request.user).select_related(
            "tenant", "store__cloud", "current_task"
        )

    def size_limit_gb(self, oss_user):
        return enforced(oss_user.max_size_in_g, oss_user.quota_enabled)

    @admin.display(description=_("progress"))
    def progress(self, oss_user):
        return progress_bar(oss_user.current_task)

    @admin.display(description=_("buckets"))
    def bucket_table(self, oss_user):
        """Its buckets, those being made with their live progress: a new bucket's Task
        is the user's own latest only when the user is made with it."""
        buckets = oss_user.buckets.select_related("current_task").order_by("name")
        rows = [(bucket, progress_bar(bucket.current_task)) for bucket in buckets]
        context = {"rows": rows, "creating": Bucket.Status.CREATING}
        return render_to_string("admin/objectstorage/bucket_table.html", context)

    @admin.display(description=_("operations"))
    def operations(self, oss_user):
        if not oss_user.pk or oss_user.status != OssUser.Status.READY:
            return "-"
        links = [
            ("objectstorage_ossuser_quota", _("Set quota…")),
            ("objectstorage_ossuser_rotate", _("Rotate key…")),
        ]
        buttons = format_html_join(
            " ", '<a class="button" href="{}">{}</a>',
            ((reverse(f"admin:{name}", args=[oss_user.pk]), label) for name, label in links),
        )  # fmt: skip
        note = _(
            "Secret keys are never shown here: the platform user reads its key through "
            "the API (recover key)."
        )
        return format_html('<div><div>{}</div><div class="help">{}</div></div>', buttons, note)

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path("create/", view(self.create_view), name="objectstorage_ossuser_create"),
            path("<int:pk>/quota/", view(self.quota_view), name="objectstorage_ossuser_quota"),
            path("<int:pk>/rotate/", view(self.rotate_view), name="objectstorage_ossuser_rotate"),
            *super().get_urls(),
        ]

    # ---- the forms -----------------------------------------------------------------

    def create_view(self, request):
        form = forms.BucketCreateForm(posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                bucket, _task = services.create_user_and_bucket(
                    form.cleaned_data["tenant"], form.to_request(), actor=actor_of(request.user)
                )
            except PortalError as exc:
                form.show_refusal(exc)
            else:
                message = _("Creating bucket %(name)s; the progress is shown here.")
                return self._queued(request, bucket.owner_id, message % {"name": bucket.name})
        return admin_page(
            self, request, FORM_TEMPLATE, _("Create bucket"), form=form, submit=_("Create")
        )

    def quota_view(self, request, pk):
        return self._user_form(
            request, pk, forms.QuotaForm, _("Set the quota of %(uid)s"), _("Save"),
            lambda oss_user, data, actor: services.set_quota(
                oss_user, data["max_size_in_g"], data["max_objects"], actor=actor
            ),
            initial=lambda oss_user: {
                "max_size_in_g": oss_user.max_size_in_g, "max_objects": oss_user.max_objects
            },
        )  # fmt: skip

    def rotate_view(self, request, pk):
        intro = _(
            "A new key pair is issued and every previous key of this S3 user is revoked: "
            "programs still using an old key are refused. The new secret key is not shown "
            "here; the platform user reads it through the API."
        )
        return self._user_form(
            request, pk, forms.RotateKeyForm, _("Rotate the key of %(uid)s"), _("Rotate key"),
            lambda oss_user, data, actor: services.recover_key(oss_user, rotate=True, actor=actor),
            intro=intro,
        )  # fmt: skip

    def _user_form(self, request, pk, form_class, title, submit, act, initial=None, **context):
        oss_user = get_object_or_404(self.get_queryset(request), pk=pk)
        form = form_class(posted(request), initial=initial(oss_user) if initial else None)
        if request.method == "POST" and form.is_valid():
            try:
                act(oss_user, form.cleaned_data, actor_of(request.user))
            except PortalError as exc:
                form.show_refusal(exc)
            else:
                message = _("%(uid)s: queued; the progress is shown here.")
                return self._queued(request, oss_user.pk, message % {"uid": oss_user.uid})
        title = title % {"uid": oss_user.uid}
        return admin_page(
            self, request, FORM_TEMPLATE, title, form=form, oss_user=oss_user, submit=submit,
            **context,
        )  # fmt: skip

    def _queued(self, request, pk, message):
        self.message_user(request, message, messages.SUCCESS)
        return redirect("admin:objectstorage_ossuser_change", pk)


@admin.register(Bucket)
class BucketAdmin(UsageColumns, ReadOnlyAdmin):
    """The buckets as RGW last reported them: shown, never changed here."""

    list_display = [
        "name", "owner", "region", "size_usage", "objects_usage", "acl", "status",
        "cloud_created", "read_at",
    ]  # fmt: skip
    list_filter = ["status", "store", "acl", "quota_enabled"]
    search_fields = ["name", "owner__uid", "owner__tenant__tenant_id", "owner__tenant__name"]
    list_select_related = ["owner__store", "store__cloud"]

    def size_limit_gb(self, bucket):
        limit = enforced(bucket.max_size_bytes, bucket.quota_enabled)
        return in_gb(limit) if limit >= 0 else -1
