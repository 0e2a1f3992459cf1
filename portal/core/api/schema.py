"""What the OpenAPI schema needs beyond what drf-spectacular reads off the views.

- Error answers: every operation documents the statuses it may answer, in the one error
  shape of design/api.md (portal/core/api/errors.py). A postprocessing hook
  (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) rather than an annotation on each view:
  the statuses follow from what an operation takes.
- `?wait=N` on every operation answering 202 with a Task (design/api.md).
- Answers whose shape depends on the caller (a tenant sees fewer fields than an operator):
  `CallerShapes`, documented as either shape.
"""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers


class CallerShapes(serializers.Serializer):
    """For `extend_schema(responses=...)`: an answer in one of `shapes` (serializer
    classes), by who calls; the schema says `anyOf` them, as both may match an answer."""

    def __init__(self, component_name, shapes, **kwargs):
        self.component_name = component_name
        self.shapes = shapes
        super().__init__(**kwargs)


def read_by_caller(component_name, *shapes):
    """A viewset decorator: its list and retrieve answer in one of `shapes` by caller."""
    return extend_schema_view(
        list=extend_schema(responses=CallerShapes(component_name, shapes, many=True)),
        retrieve=extend_schema(responses=CallerShapes(component_name, shapes)),
    )


class CallerShapesExtension(OpenApiSerializerExtension):
    target_class = CallerShapes

    def get_name(self, auto_schema, direction):
        return self.target.component_name

    def map_serializer(self, auto_schema, direction):
        shapes = [auto_schema.resolve_serializer(shape, direction) for shape in self.target.shapes]
        return {"anyOf": [shape.ref for shape in shapes]}


ERROR_COMPONENT = "Error"

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer (design/api.md).",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields", "request_id"],
            "properties": {
                "code": {"type": "string", "description": "stable, e.g. quota_exceeded"},
                "message": {"type": "string", "description": "a human sentence"},
                "fields": {
                    "type": "object",
                    "description": "the messages of each field in error (400)",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "request_id": {"type": "string", "description": "the id logs carry"},
            },
        }
    },
}

# Any call: no or a wrong key; not allowed (or the platform said no); too many calls;
# the platform's permission service or the cloud did not answer.
ALWAYS = {
    "401": "Authentication credentials were missing or wrong.",
    "403": "Not allowed to the caller, or refused by the platform's permission service.",
    "429": "Too many requests: retry after the `Retry-After` header's seconds.",
    "503": "A service the portal depends on did not answer; try again later.",
}
BAD_INPUT = {"400": "The request is not valid (`fields` says which and why)."}
NAMED_OBJECT = {"404": "No such object (or it belongs to another tenant)."}
CHANGE = {
    "409": "In conflict with the state of the object (busy, locked, duplicate, quota).",
    "422": "Well-formed, but not possible (e.g. a disabled image).",
}
BODY = {"413": "The request body is too large."}

UNSAFE_METHODS = {"post", "put", "patch", "delete"}

WAIT_PARAMETER = {
    "in": "query",
    "name": "wait",
    "schema": {"type": "number", "minimum": 0, "maximum": 60},
    "description": "Seconds (at most 60) to wait for the operation's Task to end.",
}


def document_errors_and_waits(result, generator, request, public):
    """Document the error answers of every operation of `result` (the schema), and the
    `wait` of those answering 202."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            parameters = operation.setdefault("parameters", [])
            if "202" in responses and not any(p["name"] == "wait" for p in parameters):
                parameters.append(WAIT_PARAMETER)
            for status, description in error_statuses(method, operation).items():
                responses.setdefault(status, {"description": description})
            # Errors a view names itself (`OpenApiResponse(description=...)`) get the shape too.
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response.setdefault("content", {"application/json": {"schema": reference}})
    return result


def error_statuses(method, operation) -> dict[str, str]:
    """{status: description} of the errors an operation may answer."""
    places = {parameter.get("in") for parameter in operation.get("parameters", ())}
    statuses = dict(ALWAYS)
    if "query" in places or "requestBody" in operation:
        statuses |= BAD_INPUT
    if "path" in places:
        statuses |= NAMED_OBJECT
    if method in UNSAFE_METHODS:
        statuses |= CHANGE
    if "requestBody" in operation:
        statuses |= BODY
    return dict(sorted(statuses.items()))
