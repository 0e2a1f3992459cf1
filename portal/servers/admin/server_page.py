"""The server page of the admin, like Horizon's instance page: a summary at the top, then
tabs (Overview, Disks, Network & security groups, Tasks; the console log and console
follow in the template), raw ids folded away. All from the database: no cloud call."""

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from portal.core.admin_base import progress_bar
from portal.core.sentences import kind_label, task_sentence
from portal.network.models import Network
from portal.servers import services
from portal.servers.admin.server_list import (
    address_lines,
    cloud_status,
    localised,
    power_state,
    status_badge,
)
from portal.servers.cdrom import services as cdrom_services

GB = 1024**3
MB = 1024**2

# The tabs made of the page's fieldsets: (anchor, label, its fieldsets).
TABS = [
    ("overview", _("Overview"), [
        (None, {"fields": [
            "name", "tenant", "status", "status_message", "runtime_state", "power_state",
            "flavor_summary", "image_name", "key_name", "availability_zone",
            "hypervisor_hostname", "cloud", "origin", "locked", "cloud_locked",
            "resize_flavor", "cd_drive", "created", "create_requested", "synced_at", "updated",
        ]}),
        (_("Identifiers"), {"classes": ["collapse"], "fields": [
            "instance_id", "backend_id", "flavor_ref", "image_ref", "network_id",
        ]}),
    ]),
    ("disks", _("Disks"), [(None, {"fields": ["system_disk", "data_disks"]})]),
    ("network", _("Network & security groups"), [
        (None, {"fields": ["network", "ip_addresses", "security_groups"]}),
    ]),
    ("tasks", _("Tasks"), [(None, {"fields": ["task_history"]})]),
]  # fmt: skip


def gigabytes(size):
    return filesizeformat(size * GB)


class ServerPageMixin:
    """The fieldsets, sections and summary of ServerAdmin's change view."""

    change_form_template = "admin/servers/server/change_form.html"
    fieldsets = [fieldset for _anchor, _label, group in TABS for fieldset in group]
    readonly_fields = [
        "flavor_summary", "cd_drive", "system_disk", "data_disks", "network", "ip_addresses",
        "security_groups", "task_history",
    ]  # fmt: skip

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            fieldsets = iter(list(context["adminform"]))
            context["server_tabs"] = [
                {"anchor": anchor, "label": label, "fieldsets": [next(fieldsets) for _ in group]}
                for anchor, label, group in TABS
            ]
            context["summary"] = self.summary(obj)
            context["current_task"] = obj.current_task
            context["current_task_kind"] = obj.current_task and kind_label(obj.current_task.kind)
            context["current_task_bar"] = progress_bar(obj.current_task)
            # The console log asked for: its tab is the one shown.
            context["active_tab"] = "console-log" if "console_lines" in request.GET else ""
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def summary(self, server):
        """The header's (label, value) pairs."""
        return [
            (_("state"), status_badge(server)),
            (_("cloud status"), cloud_status(server)),
            (_("power state"), power_state(server)),
            (_("IP addresses"), address_lines(server)),
            (_("flavor"), self.flavor_summary(server)),
            (_("image"), server.image_name or server.image_ref or "-"),
            (_("tenant"), server.tenant.name),
            (_("hypervisor host"), server.hypervisor_hostname or "-"),
            (_("availability zone"), server.availability_zone or "-"),
        ]

    @admin.display(description=_("flavor"))
    def flavor_summary(self, server):
        return _("%(name)s: %(vcpus)s vCPU, %(ram)s RAM, %(disk)s disk") % {
            "name": server.flavor_name,
            "vcpus": server.vcpus,
            "ram": filesizeformat(server.ram * MB),
            "disk": gigabytes(server.flavor_disk),
        }

    @admin.display(description=_("system disk"))
    def system_disk(self, server):
        parts = (gigabytes(server.system_disk_size), server.system_disk_type, server.image_name)
        return " · ".join(str(part) for part in parts if part)

    @admin.display(description=_("data disks"))
    def data_disks(self, server):
        volumes = list(server.data_volumes.all())
        link = format_html(
            '<p><a href="{}?q={}">{}</a></p>',
            reverse("admin:servers_volume_changelist"),
            server.tenant_id,
            _("The tenant's cloud disks (attach, detach, extend)"),
        )
        if not volumes:
            return format_html("{}{}", _("none"), link)
        head = format_html(
            "<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>",
            _("name"), _("size"), _("volume type"), _("device"), _("status"),
        )  # fmt: skip
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (reverse("admin:servers_volume_change", args=[volume.pk]), str(volume),
                 gigabytes(volume.size), volume.volume_type or "-", volume.device or "-",
                 volume.get_status_display())
                for volume in volumes
            ),
        )  # fmt: skip
        return format_html(
            '<table class="server-disks">{}<tbody>{}</tbody></table>{}', head, rows, link
        )

    @admin.display(description=_("network"))
    def network(self, server):
        """The network's name from the portal's mirror (its id is under Identifiers)."""
        name = (
            Network.objects.filter(cloud_id=server.cloud_id, backend_id=server.network_id)
            .values_list("name", flat=True)
            .first()
        )
        return name or server.network_id or "-"

    @admin.display(description=_("IP addresses"))
    def ip_addresses(self, server):
        """Per network, its addresses: `default-net: 10.0.0.5, fd00::5`."""
        return (
            format_html_join(
                mark_safe("<br>"),
                "{}: {}",
                ((network, ", ".join(ips)) for network, ips in (server.addresses or {}).items()),
            )
            or "-"
        )

    @admin.display(description=_("tasks"))
    def task_history(self, server):
        """The server's Tasks, newest first, each told as a sentence (who did what, how it
        went, how long it took); their progress bars are kept live by tasks.js."""
        head = format_html(
            "<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>",
            _("task"), _("when"), _("progress"),
        )  # fmt: skip
        tasks = list(services.tasks_of(server)[:50])
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (task_sentence(task, server.name), localised(task.created), progress_bar(task))
                for task in tasks
            ),
        )
        return format_html('<table class="server-tasks">{}<tbody>{}</tbody></table>', head, rows)

    @admin.display(description=_("mounted ISO"))
    def cd_drive(self, server):
        """The ISO in the server's CD drive (attaching, attached or detaching)."""
        mount = cdrom_services.current_mount(server)
        if mount is None:
            return "-"
        return format_html(
            "{} ({}) {}", mount.iso, mount.get_status_display(), progress_bar(mount.task)
        )
