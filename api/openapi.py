"""What FastAPI's OpenAPI schema lacks: links from intake to the actions, examples with nulls and
of its 422s."""

from typing import Any

from fastapi import FastAPI

from domain.view import ComplaintView

VALIDATION_ERROR = {
    "type": "string_pattern_mismatch",
    "loc": ["body", "country"],
    "msg": "String should match pattern '^[A-Z]{2}$'",
    "input": "INDIA",
    "ctx": {"pattern": "^[A-Z]{2}$"},
}
"""What POST /complaints answers to `"country": "India"`."""


def complete_openapi(app: FastAPI) -> None:
    """Add the links and the examples to the schema FastAPI generates (once, then cached)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        _link_actions_to_intake(schema)
        schemas = schema["components"]["schemas"]
        _restore_nulls_in_examples(schemas)
        schemas["ValidationError"]["examples"] = [VALIDATION_ERROR]
        schemas["HTTPValidationError"]["examples"] = [{"detail": [VALIDATION_ERROR]}]
        return schema

    app.openapi = openapi


def _link_actions_to_intake(schema: dict[str, Any]) -> None:
    """Document how a client goes from `POST /complaints` to each complaint's operations: the id
    a filed complaint returns is the `complaint_id` of every action on it."""
    links = {
        operation["operationId"]: {
            "operationId": operation["operationId"],
            "parameters": {"complaint_id": "$response.body#/id"},
        }
        for path, operations in schema["paths"].items()
        if "{complaint_id}" in path
        for operation in operations.values()
    }
    schema["paths"]["/complaints"]["post"]["responses"]["201"]["links"] = links


def _restore_nulls_in_examples(schemas: dict[str, Any]) -> None:
    """FastAPI drops every null from the schema it publishes, examples included (fastapi#5559):
    a complaint's example would lose `"deadline": null` and its other required nullable fields.
    Take the examples of the complaint and everything in it from pydantic's schema again."""
    generated = ComplaintView.model_json_schema(mode="serialization")
    examples = {
        definition["title"]: definition["examples"]
        for definition in [generated, *generated["$defs"].values()]
        if "examples" in definition
    }
    for schema in schemas.values():
        if schema.get("title") in examples:
            schema["examples"] = examples[schema["title"]]
