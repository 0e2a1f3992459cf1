"""A test-only URLconf: views that fail in the ways the error handler must cover."""

from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.errors import Unprocessable
from portal.urls import handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    size = serializers.IntegerField(min_value=1)

    def validate(self, attrs):
        if attrs["name"] == "both":
            raise serializers.ValidationError("name and size disagree")
        return attrs


class Crash(APIView):
    def get(self, request):
        raise RuntimeError("database password is hunter2")

    def post(self, request):
        raise RuntimeError("crashed while creating")


class Validate(APIView):
    def post(self, request):
        EchoSerializer(data=request.data).is_valid(raise_exception=True)
        return Response({})


class Impossible(APIView):
    def post(self, request):
        raise Unprocessable("The image is disabled.", code="image_disabled")


urlpatterns = [
    path("api/v1/crash", Crash.as_view()),
    path("api/v1/validate", Validate.as_view()),
    path("api/v1/impossible", Impossible.as_view()),
    *portal_urlpatterns,
]
