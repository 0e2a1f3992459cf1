from rest_framework import serializers

from portal.core.models import Task


class TaskSerializer(serializers.ModelSerializer):
    task_id = serializers.CharField(read_only=True)
    tenant_id = serializers.CharField(read_only=True, allow_null=True)
    created_time = serializers.DateTimeField(source="created", read_only=True)
    # null until the job starts / ends
    started_time = serializers.DateTimeField(source="started", read_only=True, allow_null=True)
    finished_time = serializers.DateTimeField(source="finished", read_only=True, allow_null=True)
    # Rendered in the request's language (Accept-Language); `message_code` names the
    # sentence for clients that keep their own.
    message = serializers.CharField(read_only=True)

    class Meta:
        model = Task
        fields = [
            "task_id",
            "kind",
            "state",
            "progress",
            "message",
            "message_code",
            "error_code",
            "target_type",
            "target_id",
            "tenant_id",
            "created_time",
            "started_time",
            "finished_time",
        ]
        read_only_fields = fields


class TaskSummarySerializer(TaskSerializer):
    """The `task` object embedded in 202 answers (design/api.md)."""

    class Meta(TaskSerializer.Meta):
        fields = [
            "task_id",
            "state",
            "progress",
            "message",
            "error_code",
            "created_time",
            "finished_time",
        ]
        read_only_fields = fields
