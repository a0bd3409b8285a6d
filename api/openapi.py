"""OpenAPI links: the id a filed complaint returns is the `complaint_id` of every action on it."""

from typing import Any

from fastapi import FastAPI


def link_actions_to_intake(app: FastAPI) -> None:
    """Document how a client goes from `POST /complaints` to each complaint's operations."""
    generate = app.openapi

    def openapi_with_links() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
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
        return schema

    app.openapi = openapi_with_links
