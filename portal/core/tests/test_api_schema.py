"""The OpenAPI schema tells the truth about what the API answers and takes (the whole
API against it: portal/console/tests/test_api_contract.py)."""

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from portal.clouds.tests.factories import AzureCloudFactory

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def component(schema, name):
    return schema["components"]["schemas"][name]


def resolve(schema, node):
    while "$ref" in node:
        node = component(schema, node["$ref"].rsplit("/", 1)[1])
    return node


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("TaskSummary", "finished_time"),  # every Task in progress
        ("Task", "started_time"),
        ("Task", "finished_time"),
        ("OperatorFlavor", "synced_time"),
        ("OperatorImage", "synced_time"),  # uploaded, never synced
        ("Iso", "mtime"),
        ("Flavor", "flavor_id"),  # created by an operator, not yet in the cloud
    ],
)
def test_fields_that_may_be_null_are_nullable(schema, name, field):
    assert component(schema, name)["properties"][field].get("nullable") is True


def test_every_required_string_of_a_request_has_a_min_length(schema):
    short = []
    for name, body in schema["components"]["schemas"].items():
        for field in body.get("required", ()):
            prop = body["properties"][field]
            free_text = prop.get("type") == "string" and not {"enum", "format"} & set(prop)
            if name.endswith("Request") and free_text and prop.get("minLength", 0) < 1:
                short.append(f"{name}.{field}")
    assert short == []
    assert component(schema, "InstanceCreateRequest")["properties"]["image_ref"]["minLength"] == 1


def test_the_put_of_an_iso_is_not_offered(schema, staff_client):
    assert set(schema["paths"]["/api/v1/isos/{iso_id}/"]) >= {"get", "patch", "delete"}
    assert "put" not in schema["paths"]["/api/v1/isos/{iso_id}/"]
    assert "put" in schema["paths"]["/api/v1/isos/{iso_id}/file/"]
    assert staff_client.put("/api/v1/isos/x/", {}, format="json").status_code == 405


def enum_filters(schema):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", ()):
            listed = "enum" in parameter["schema"] or parameter["schema"].get("type") == "boolean"
            if method == "get" and parameter["in"] == "query" and listed:
                yield path, parameter["name"]


def test_an_enum_filter_given_an_empty_value_is_400(schema, staff_client):
    filters = list(enum_filters(schema))
    assert ("/api/v1/instances/", "portal_state") in filters
    assert ("/api/v1/tasks/", "state") in filters
    cloud_id = str(AzureCloudFactory().pk)  # lists below a cloud: its Azure mappings
    for path, name in filters:
        answer = staff_client.get(path.replace("{cloud_id}", cloud_id), {name: ""})
        assert answer.status_code == 400, (path, name, answer.content)
        assert list(answer.json()["error"]["fields"]) == [name]


def test_an_enum_filter_with_a_value_still_filters(staff_client):
    assert staff_client.get("/api/v1/tasks/", {"state": "running"}).status_code == 200


def documented(operation):
    return {
        status
        for status, response in operation["responses"].items()
        if response.get("content", {}).get("application/json", {}).get("schema")
        == {"$ref": "#/components/schemas/Error"}
    }


def test_every_operation_documents_its_errors_in_the_error_shape(schema):
    for path, method, operation in operations(schema):
        statuses = documented(operation)
        places = {parameter["in"] for parameter in operation.get("parameters", ())}
        assert {"401", "403", "429", "503"} <= statuses, (method, path)
        if "{" in path:
            assert "404" in statuses, (method, path)
        if method != "get":
            assert {"409", "422"} <= statuses, (method, path)
        if "requestBody" in operation:
            assert {"400", "413"} <= statuses, (method, path)
        if "query" in places:
            assert "400" in statuses, (method, path)
    assert "404" not in documented(schema["paths"]["/api/v1/tasks/"]["get"])
    assert "409" not in documented(schema["paths"]["/api/v1/tasks/"]["get"])


def test_an_error_answer_matches_the_documented_shape(schema, staff_client):
    answer = staff_client.get("/api/v1/tasks/no-such-task/")
    assert answer.status_code == 404
    jsonschema.validate(answer.json(), component(schema, "Error"))


def test_every_operation_answering_202_takes_wait(schema):
    for path, method, operation in operations(schema):
        if "202" in operation["responses"]:
            names = {parameter["name"] for parameter in operation.get("parameters", ())}
            assert "wait" in names, (method, path)
