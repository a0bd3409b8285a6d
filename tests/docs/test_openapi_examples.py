"""Every schema of the OpenAPI document shows an example, and every example is one its model takes.

An example is checked twice: against the published JSON schema (what a client sees, `-Input` and
`-Output` variants included) and against the pydantic model behind it (what the API accepts or
returns, validators and all), where it must also be the model's own canonical form.
"""

import importlib
import inspect
import json
import pkgutil
from enum import Enum
from typing import Any

import jsonschema_rs
import pytest
from pydantic import BaseModel, TypeAdapter

import api
import domain
from api.main import create_app

OPENAPI = create_app().openapi()
SCHEMAS: dict[str, dict[str, Any]] = OPENAPI["components"]["schemas"]
FASTAPI_OWN = {"HTTPValidationError", "ValidationError"}
"""FastAPI's schemas, not models of ours: api/openapi.py gives them their examples."""


def project_types() -> dict[str, list[type]]:
    """The models and enums of api/ and domain/ by class name: the title of their schema."""
    found: dict[str, list[type]] = {}
    for package in (api, domain):
        for module_info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(module_info.name)
            for value in vars(module).values():
                if (
                    inspect.isclass(value)
                    and issubclass(value, BaseModel | Enum)
                    and value.__module__ == module.__name__
                ):
                    found.setdefault(value.__name__, []).append(value)
    return found


TYPES = project_types()


def examples_of(name: str) -> list[Any]:
    return SCHEMAS[name].get("examples", [])


def test_every_schema_has_an_example() -> None:
    missing = sorted(name for name in SCHEMAS if not examples_of(name))
    assert missing == [], f"schemas without examples: {', '.join(missing)}"


def test_every_schema_but_fastapis_own_has_one_model() -> None:
    titles = {name: SCHEMAS[name]["title"] for name in set(SCHEMAS) - FASTAPI_OWN}
    assert {name: TYPES.get(title, []) for name, title in titles.items()} == {
        name: TYPES[title][:1] for name, title in titles.items() if len(TYPES.get(title, [])) == 1
    }


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_examples_match_the_published_schema(name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": OPENAPI["components"]}
    validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    for example in examples_of(name):
        errors = [
            f"{error.instance_path}: {error.message}" for error in validator.iter_errors(example)
        ]
        assert errors == [], f"{name} example {example}"


@pytest.mark.parametrize("name", sorted(set(SCHEMAS) - FASTAPI_OWN))
def test_examples_are_what_the_model_takes_and_gives(name: str) -> None:
    (model_type,) = TYPES[SCHEMAS[name]["title"]]
    model = TypeAdapter[Any](model_type)
    for example in examples_of(name):
        value = model.validate_json(json.dumps(example))
        assert model.dump_python(value, mode="json", exclude_unset=True) == example
