"""The security group API (seed 004 SecurityGroupService): `/security-groups`, served
from the mirror; every change answers 202 with its Task."""

from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.clouds.sync import cloud_for_region
from portal.core.api.mixins import requested_wait_seconds, wait_if_asked
from portal.core.api.permissions import IsTenantOrStaff
from portal.core.api.serializers import TaskSummarySerializer
from portal.core.principals import actor_of
from portal.network.security_groups import services
from portal.network.security_groups.filters import SecurityGroupFilter
from portal.network.security_groups.models import SecurityGroup, SecurityGroupRule
from portal.tenants.api.permissions import (
    PlatformResourcePermission,
    acting_tenant,
    ask_about_body,
)

# ---- serializers -------------------------------------------------------------------------


class SecurityGroupRuleSerializer(serializers.ModelSerializer):
    """A rule as Neutron holds it (seed 004's SecurityGroupRule)."""

    rule_id = serializers.CharField(source="backend_id")
    rule_desc = serializers.CharField(source="description")
    protocol = serializers.SerializerMethodField()
    remote_ip_prefix = serializers.SerializerMethodField()
    security_group_id = serializers.CharField(source="group.security_group_id")
    created_time = serializers.DateTimeField(source="cloud_created_at", allow_null=True)
    updated_time = serializers.DateTimeField(source="cloud_updated_at", allow_null=True)

    class Meta:
        model = SecurityGroupRule
        fields = [
            "rule_id", "rule_desc", "direction", "protocol", "port_range_min", "port_range_max",
            "remote_ip_prefix", "ethertype", "security_group_id", "created_time", "updated_time",
        ]  # fmt: skip
        read_only_fields = fields

    def get_protocol(self, rule) -> str | None:
        return rule.protocol or None  # any

    def get_remote_ip_prefix(self, rule) -> str | None:
        return rule.remote_ip_prefix or None  # anywhere


class ServerOutcomeSerializer(serializers.Serializer):
    instance_id = serializers.CharField()
    instance_name = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["attached", "detached", "unchanged", "failed"])
    message = serializers.CharField()


class SecurityGroupSerializer(serializers.ModelSerializer):
    """A security group with every rule (seed 004's SecurityGroup)."""

    security_group_name = serializers.CharField(source="name")
    security_group_desc = serializers.CharField(source="description")
    cloud_security_group_id = serializers.CharField(source="backend_id", allow_null=True)
    region = serializers.CharField(source="cloud.region")
    tenant_id = serializers.CharField(allow_null=True)
    security_group_rules = serializers.SerializerMethodField()
    created_time = serializers.DateTimeField(source="created")
    updated_time = serializers.DateTimeField(source="updated")
    task = TaskSummarySerializer(source="current_task", allow_null=True)
    operated_servers = serializers.SerializerMethodField()

    class Meta:
        model = SecurityGroup
        fields = [
            "security_group_id", "security_group_name", "security_group_desc",
            "cloud_security_group_id", "region", "tenant_id", "status", "status_message",
            "security_group_rules", "created_time", "updated_time", "task", "operated_servers",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ServerOutcomeSerializer(many=True))
    def get_operated_servers(self, group) -> list[dict]:
        """When the group's latest Task is an attach or detach: what happened to each
        server so far (else empty)."""
        task = group.current_task
        if task is None or task.kind != services.OPERATE_KIND:
            return []
        return (task.result or {}).get("servers", [])

    @extend_schema_field(SecurityGroupRuleSerializer(many=True))
    def get_security_group_rules(self, group) -> list[dict]:
        rules = services.present_rules(group)
        return SecurityGroupRuleSerializer(rules, many=True).data


class RuleSetSerializer(serializers.Serializer):
    """One rule of a requested rule set (seed 004's SecurityGroupRuleSet); `ethertype`
    follows the prefix when left out. Checked as a set by the request side."""

    rule_desc = serializers.CharField(max_length=255, required=False, allow_blank=True)
    direction = serializers.CharField(max_length=16)
    protocol = serializers.CharField(
        max_length=16, required=False, allow_blank=True, allow_null=True
    )
    port_range_min = serializers.IntegerField(required=False, allow_null=True)
    port_range_max = serializers.IntegerField(required=False, allow_null=True)
    remote_ip_prefix = serializers.CharField(
        max_length=64, required=False, allow_blank=True, allow_null=True
    )
    ethertype = serializers.CharField(max_length=8, required=False, allow_blank=True)


class SecurityGroupCreateSerializer(serializers.Serializer):
    """CreateSecurityGroupReq; `tenant_id` only for operators."""

    security_group_name = serializers.CharField(max_length=255)
    security_group_desc = serializers.CharField(max_length=255, required=False, allow_blank=True)
    security_group_rule_sets = RuleSetSerializer(many=True, required=False, default=list)
    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    tenant_id = serializers.CharField(required=False, max_length=20)


class SecurityGroupUpdateSerializer(serializers.Serializer):
    """UpdateSecurityGroupReq: what is left out is kept; a rule set given replaces the
    group's rules (an empty one removes them all)."""

    security_group_name = serializers.CharField(max_length=255, required=False)
    security_group_desc = serializers.CharField(max_length=255, required=False, allow_blank=True)
    security_group_rule_sets = RuleSetSerializer(many=True, required=False)


class SecurityGroupDeletedSerializer(serializers.Serializer):
    security_group_id = serializers.CharField()
    deleted_time = serializers.DateTimeField(allow_null=True)
    task = TaskSummarySerializer()


class SecurityGroupOperateSerializer(serializers.Serializer):
    instance_ids = serializers.ListField(child=serializers.CharField(max_length=64))
    ops_type = serializers.CharField(max_length=16)


class SecurityGroupOperatedSerializer(serializers.Serializer):
    """OperateSecurityGroupRes, with what happened to each server so far."""

    security_group_id = serializers.CharField()
    ops_type = serializers.CharField()
    operated_time = serializers.DateTimeField()
    task = TaskSummarySerializer()
    servers = ServerOutcomeSerializer(many=True)


# ---- the view ----------------------------------------------------------------------------


class SecurityGroupViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):  # fmt: skip
    """Security groups with their rules. A tenant sees its own; another tenant's id is
    404. Every change answers 202 with its Task (`?wait=N` for the outcome)."""

    serializer_class = SecurityGroupSerializer
    filterset_class = SecurityGroupFilter
    ordering_fields = ["name", "created"]
    ordering = ["name", "pk"]
    lookup_field = "security_group_id"
    lookup_url_kwarg = "security_group_id"
    lookup_value_regex = "[^/]+"
    results_key = "security_groups"

    def get_queryset(self):
        present = Q(missing_since__isnull=True)
        return (
            services.groups_visible_to(self.request.user)
            .select_related("cloud", "current_task")
            .prefetch_related(Prefetch("rules", SecurityGroupRule.objects.filter(present)))
        )

    def get_permissions(self):
        if self.action in ("list", "create"):
            return [IsTenantOrStaff()]
        return [IsTenantOrStaff(), PlatformResourcePermission()]

    def _answer(self, request, group, task):
        wait_if_asked(request, task)
        group = self.get_queryset().filter(pk=group.pk).first() or group
        answer = SecurityGroupSerializer(group, context=self.get_serializer_context())
        return Response(answer.data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=SecurityGroupCreateSerializer, responses={202: SecurityGroupSerializer})
    def create(self, request):
        """Create a group with its rules (CreateSecurityGroup)."""
        requested_wait_seconds(request)
        form = SecurityGroupCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        group, task = services.create_group(
            acting_tenant(request, data.get("tenant_id")),
            cloud_for_region(data.get("region")),
            name=data["security_group_name"],
            description=data.get("security_group_desc", ""),
            rule_sets=data["security_group_rule_sets"],
            actor=actor_of(request.user),
        )
        return self._answer(request, group, task)

    @extend_schema(request=SecurityGroupUpdateSerializer, responses={202: SecurityGroupSerializer})
    def update(self, request, security_group_id=None):
        """Change the name, description or rule set (UpdateSecurityGroup)."""
        requested_wait_seconds(request)
        form = SecurityGroupUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        group, task = services.update_group(
            self.get_object(),
            name=data.get("security_group_name"),
            description=data.get("security_group_desc"),
            rule_sets=data.get("security_group_rule_sets"),
            actor=actor_of(request.user),
        )
        return self._answer(request, group, task)

    @extend_schema(responses={202: SecurityGroupDeletedSerializer})
    def destroy(self, request, security_group_id=None):
        """Delete the group and its rules (DeleteSecurityGroup); 409 while servers use it."""
        requested_wait_seconds(request)
        group, task = services.delete_group(self.get_object(), actor=actor_of(request.user))
        task = _current(wait_if_asked(request, task))
        gone = not SecurityGroup.objects.filter(pk=group.pk).exists()
        answer = {
            "security_group_id": group.security_group_id,
            "deleted_time": task.finished if gone else None,
            "task": task,
        }
        answer = SecurityGroupDeletedSerializer(answer).data
        return Response(answer, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=SecurityGroupOperateSerializer, responses={202: SecurityGroupOperatedSerializer}
    )
    @action(detail=True, methods=["post"])
    def operate(self, request, security_group_id=None):
        """Attach the group to, or detach it from, servers (OperateSecurityGroup)."""
        requested_wait_seconds(request)
        form = SecurityGroupOperateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        ask_about_body(self, data["instance_ids"])
        group, task = services.operate_group(
            self.get_object(), data["instance_ids"], data["ops_type"], actor=actor_of(request.user)
        )
        task = _current(wait_if_asked(request, task))
        answer = {
            "security_group_id": group.security_group_id,
            "ops_type": data["ops_type"],
            "operated_time": task.created,
            "task": task,
            "servers": (task.result or {}).get("servers", []),
        }
        return Response(
            SecurityGroupOperatedSerializer(answer).data, status=status.HTTP_202_ACCEPTED
        )


def _current(task):
    """The Task as it stands now (an eager or quick worker may have moved it on)."""
    task.refresh_from_db()
    return task
