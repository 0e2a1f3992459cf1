from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.clouds.admin_actions import set_enabled_action, sync_now_action
from portal.core.admin_base import ObjectToolMixin, act_on_each, admin_page
from portal.core.flags import set_row_enabled
from portal.core.principals import actor_of
from portal.images import uploads
from portal.images.forms import ImageUploadForm
from portal.images.models import Image

# The admin page sends files in pieces of this size (each a resumable PUT).
UPLOAD_PIECE_SIZE = 16 * 1024 * 1024

# Mirrored from the cloud: the admin shows them, the image pull writes them.
CLOUD_FIELDS = [
    "cloud", "backend_id", "name", "status", "disk_format", "container_format", "size",
    "checksum", "min_disk", "min_ram", "visibility", "owner", "os_type", "os_distro",
    "os_version", "description", "properties", "missing_since", "synced_at",
]  # fmt: skip
PORTAL_FIELDS = [
    "image_id", "origin", "uploaded_by", "uploaded_by_actor", "upload_state", "upload_size",
    "received_bytes", "created", "updated",
]  # fmt: skip


@admin.register(Image)
class ImageAdmin(ObjectToolMixin, admin.ModelAdmin):
    list_display = [
        "name", "image_id", "cloud", "status", "disk_format", "os_type", "origin",
        "upload_state", "enabled", "missing_since",
    ]  # fmt: skip
    list_filter = [
        "cloud", "enabled", "origin", "status", "disk_format", "os_type",
        ("missing_since", admin.EmptyFieldListFilter),
    ]  # fmt: skip
    search_fields = ["name", "image_id", "backend_id", "os_type", "os_distro"]
    list_select_related = ["cloud", "uploaded_by"]
    fields = ["enabled", *PORTAL_FIELDS, *CLOUD_FIELDS]
    actions = [
        set_enabled_action(True, _("Enable the selected images"), _("Images enabled: %(count)d.")),
        set_enabled_action(
            False, _("Disable the selected images"), _("Images disabled: %(count)d.")
        ),
        sync_now_action("images.sync", _("Sync now (the clouds of the selected images)")),
        "delete_uploaded",
    ]
    object_tool = ("admin:images_image_upload", _("Upload image"))

    def get_readonly_fields(self, request, obj=None):
        # Only the portal's flag is edited here; cloud fields change in the cloud.
        return [*PORTAL_FIELDS, *CLOUD_FIELDS]

    # Synced images are never made or deleted here (seed 003: only uploaded images may
    # be deleted, which goes through the cloud, not this form).
    def save_model(self, request, obj, form, change):
        # The form edits only the portal's flag: one code path with the API and actions.
        set_row_enabled(obj, form.cleaned_data["enabled"])

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name"):
            # A picker of another page (a server template's image): bootable images only.
            queryset = queryset.filter(
                enabled=True, status=Image.ACTIVE, missing_since__isnull=True
            )
        return queryset, may_have_duplicates

    def has_add_permission(self, request):
        return False  # images are added by upload (below) or by a sync

    def get_urls(self):
        upload = path(
            "upload/", self.admin_site.admin_view(self.upload_view), name="images_image_upload"
        )
        return [upload, *super().get_urls()]

    def shows_object_tool(self, request):
        return self._may_upload(request)

    def upload_view(self, request):
        """The "Upload image" page: its script drives the upload API (one code path)."""
        if not self._may_upload(request):
            raise PermissionDenied
        return admin_page(
            self, request, "admin/images/upload.html", _("Upload image"),
            form=ImageUploadForm(),
            api_url=reverse("api:image-list"),
            tasks_url=reverse("api:task-list") + "/",
            piece_size=UPLOAD_PIECE_SIZE,
        )  # fmt: skip

    def _may_upload(self, request):
        return request.user.is_staff and self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Delete the selected uploaded images (cloud, then portal)"))
    def delete_uploaded(self, request, queryset):
        # One code path with DELETE /api/v1/images/{id}: each refusal says why.
        actor = actor_of(request.user)
        queued = act_on_each(
            self, request, queryset, lambda row: uploads.request_image_deletion(row, actor=actor)
        )
        if queued:
            message = ngettext(
                "The deletion of %(count)d image was queued; see Tasks for its progress.",
                "The deletions of %(count)d images were queued; see Tasks for their progress.",
                queued,
            )
            self.message_user(request, message % {"count": queued}, messages.SUCCESS)
