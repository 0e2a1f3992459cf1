"""Security groups in the admin: the list (search, filters, live progress), the group's
page (its rules, the servers using it, its latest Task), "Add" and "Edit" with the rule
editor as a table, and deletion; every change goes through the request side, as the
API's do, and runs as a Task."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal.clouds.admin_actions import sync_now_action
from portal.core.admin_base import ViewOnlyAdmin, act_on_each, admin_page, progress_bar
from portal.core.errors import PortalError, ValidationFailed
from portal.core.principals import actor_of
from portal.network.security_groups import services
from portal.network.security_groups.forms import (
    RuleFormSet,
    SecurityGroupForm,
    initial_rules,
    rule_sets,
    show_errors,
)
from portal.network.security_groups.models import SecurityGroup
from portal.network.security_groups.server_use import server_directory

FORM_PAGE = "admin/network/securitygroup/form.html"
RULE_COLUMNS = [
    _("direction"), _("protocol"), _("ports"), _("remote IP prefix"), _("IP version"),
    _("description"),
]  # fmt: skip


@admin.register(SecurityGroup)
class SecurityGroupAdmin(ViewOnlyAdmin):
    list_display = [
        "name", "tenant", "cloud", "status", "rule_count", "progress", "project_id",
        "missing_since",
    ]  # fmt: skip
    list_filter = ["status", "cloud", ("tenant", admin.EmptyFieldListFilter),
                   ("missing_since", admin.EmptyFieldListFilter)]  # fmt: skip
    search_fields = [
        "name", "description", "security_group_id", "backend_id", "project_id",
        "tenant__tenant_id", "tenant__name",
    ]  # fmt: skip
    list_select_related = ["cloud", "tenant", "current_task"]
    change_form_template = "admin/network/securitygroup/change_form.html"
    fields = [
        "name", "description", "tenant", "cloud", "status", "status_message", "progress",
        "rules_table", "used_by", "security_group_id", "backend_id", "project_id",
        "cloud_created_at", "cloud_updated_at", "missing_since", "synced_at",
    ]  # fmt: skip
    readonly_fields = fields
    actions = [
        "delete_groups",
        sync_now_action("network.sync", _("Sync now (the clouds of the selected rows)")),
    ]

    def has_add_permission(self, request):
        return request.user.has_perm("network.add_securitygroup")

    def get_queryset(self, request):
        present = Q(rules__missing_since__isnull=True)
        return super().get_queryset(request).annotate(rules_present=Count("rules", filter=present))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/edit/", view(self.edit_view), name="network_securitygroup_edit"),
            path("<int:pk>/remove/", view(self.remove_view), name="network_securitygroup_remove"),
            *super().get_urls(),
        ]

    # ---- columns and fields ------------------------------------------------------------

    @admin.display(description=_("rules"), ordering="rules_present")
    def rule_count(self, group):
        return group.rules_present

    @admin.display(description=_("progress"))
    def progress(self, group):
        return progress_bar(group.current_task)

    @admin.display(description=_("rules"))
    def rules_table(self, group):
        rules = services.present_rules(group)
        if not rules:
            return _("none: nothing may come in or go out")
        head = format_html_join("", "<th>{}</th>", ((label,) for label in RULE_COLUMNS))
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (rule.get_direction_display(), rule.protocol or _("any"), _ports(rule),
                 rule.remote_ip_prefix or _("anywhere"), rule.ethertype, rule.description)
                for rule in rules
            ),
        )  # fmt: skip
        return format_html(
            '<table class="security-group-rules"><thead><tr>{}</tr></thead><tbody>{}</tbody>'
            "</table>",
            head,
            rows,
        )

    @admin.display(description=_("used by"))
    def used_by(self, group):
        servers = server_directory().servers_using(group) if group.tenant_id else []
        if not servers:
            return _("no server")
        # The servers' admin list, searched for each one's id (servers are a layer up).
        servers_list = reverse("admin:servers_server_changelist")
        return format_html_join(
            ", ",
            '<a href="{}?q={}">{}</a>',
            ((servers_list, server.instance_id, server.name) for server in servers),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The group's page, with "Edit…" and "Delete" while no operation runs on it."""
        group = SecurityGroup.objects.filter(pk=object_id).first()
        idle = group is not None and group.status in SecurityGroup.IDLE and not group.is_missing
        can_change = request.user.has_perm("network.change_securitygroup")
        extra_context = {
            **(extra_context or {}),
            "can_edit": idle and can_change and group.status == SecurityGroup.Status.READY,
            "can_remove": idle and can_change,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # ---- add, edit, delete ------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        """ "Add": the group with its rules, created by a Task (its page shows it)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SecurityGroupForm(request.POST or None)
        formset = RuleFormSet(request.POST or None, prefix="rules")
        actor = actor_of(request.user)

        def act(data, rules):
            return services.create_group(
                data["tenant"], data["cloud"], name=data["name"],
                description=data["description"], rule_sets=rules, actor=actor,
            )  # fmt: skip

        title = _("Add security group")
        return self._form_page(request, title, form, formset, act, _("Create"))

    def edit_view(self, request, pk):
        """ "Edit…": the name, the description and the rule set, replaced by a Task."""
        if not self.has_view_permission(request) or not request.user.has_perm(
            "network.change_securitygroup"
        ):
            raise PermissionDenied
        group = get_object_or_404(SecurityGroup, pk=pk)
        initial = {"name": group.name, "description": group.description}
        form = SecurityGroupForm(request.POST or None, initial=initial, group=group)
        formset = RuleFormSet(
            request.POST or None,
            prefix="rules",
            initial=initial_rules(services.present_rules(group)),
        )
        actor = actor_of(request.user)

        def act(data, rules):
            return services.update_group(
                group, name=data["name"], description=data["description"], rule_sets=rules,
                actor=actor,
            )  # fmt: skip

        title = _("Edit security group %(name)s") % {"name": group.name}
        return self._form_page(request, title, form, formset, act, _("Save"), group=group)

    def _form_page(self, request, title, form, formset, act, submit, group=None):
        if request.method == "POST" and form.is_valid() and formset.is_valid():
            rows = rule_sets(formset)
            try:
                group, _task = act(form.cleaned_data, [rule for _index, rule in rows])
            except ValidationFailed as exc:
                show_errors(form, formset, [index for index, _rule in rows], exc)
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, _("Queued; the group's page shows the progress."))
                return redirect("admin:network_securitygroup_change", group.pk)
        return admin_page(
            self, request, FORM_PAGE, title, form=form, formset=formset, submit=submit,
            group=group,
        )  # fmt: skip

    def remove_view(self, request, pk):
        """ "Delete" on the group's page (POST): queued as a Task, followed in the list."""
        if request.method != "POST":
            return redirect("admin:network_securitygroup_change", pk)
        if not request.user.has_perm("network.change_securitygroup"):
            raise PermissionDenied
        group = get_object_or_404(SecurityGroup, pk=pk)
        try:
            services.delete_group(group, actor=actor_of(request.user))
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return redirect("admin:network_securitygroup_change", pk)
        self.message_user(request, _("Queued; the list shows the deletion's progress."))
        return redirect("admin:network_securitygroup_changelist")

    @admin.action(description=_("Delete the selected security groups"))
    def delete_groups(self, request, queryset):
        actor = actor_of(request.user)
        accepted = act_on_each(
            self, request, queryset, lambda group: services.delete_group(group, actor=actor)
        )
        if accepted:
            message = _("%(count)d deletions queued; the list shows their progress.")
            self.message_user(request, message % {"count": accepted}, messages.SUCCESS)


def _ports(rule):
    if rule.port_range_min is None:
        return _("all") if rule.protocol in ("tcp", "udp") else "-"
    if rule.port_range_max in (None, rule.port_range_min):
        return str(rule.port_range_min)
    return f"{rule.port_range_min}-{rule.port_range_max}"
