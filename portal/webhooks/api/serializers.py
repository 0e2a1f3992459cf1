from rest_framework import serializers

from portal.webhooks.models import SECRET_MIN_LENGTH, WEB_URL, Delivery, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(read_only=True)
    # Declared: a ModelSerializer drops the model's URLValidator for DRF's, which allows ftp.
    url = serializers.URLField(max_length=2000, validators=[WEB_URL])
    # Write-only: the platform chose it and keeps it; the portal never shows it back.
    secret = serializers.CharField(
        write_only=True, min_length=SECRET_MIN_LENGTH, max_length=500, trim_whitespace=False,
        style={"input_type": "password"},
    )  # fmt: skip
    created_time = serializers.DateTimeField(source="created", read_only=True)
    updated_time = serializers.DateTimeField(source="updated", read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "webhook_id", "url", "secret", "description", "enabled", "created_by",
            "created_time", "updated_time",
        ]  # fmt: skip
        read_only_fields = ["created_by"]


class DeliverySerializer(serializers.ModelSerializer):
    delivery_id = serializers.CharField(read_only=True)
    webhook_id = serializers.CharField(source="endpoint_id", read_only=True)
    task_id = serializers.CharField(read_only=True)
    created_time = serializers.DateTimeField(source="created", read_only=True)
    last_attempt_time = serializers.DateTimeField(source="last_attempt", read_only=True)
    next_attempt_time = serializers.DateTimeField(source="next_attempt", read_only=True)
    delivered_time = serializers.DateTimeField(source="delivered", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "delivery_id", "webhook_id", "task_id", "event", "state", "attempts",
            "attempts_allowed", "last_status_code", "last_error", "created_time",
            "last_attempt_time", "next_attempt_time", "delivered_time", "payload",
        ]  # fmt: skip
        read_only_fields = fields
