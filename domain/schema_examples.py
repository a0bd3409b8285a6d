"""Examples for the JSON schema of enums, which have no `model_config` to carry them."""

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

E = TypeVar("E", bound=StrEnum)


def enum_examples(*examples: str) -> Callable[[type[E]], type[E]]:
    """Show `examples` (values of the decorated enum) in its schema, as models do for theirs."""

    def decorate(enum: type[E]) -> type[E]:
        values = [enum(example).value for example in examples]  # a typo fails at import

        def json_schema(core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
            schema = handler(core_schema)
            handler.resolve_ref_schema(schema)["examples"] = values
            return schema

        # What pydantic looks up on a type; an assignment would not type-check.
        setattr(enum, "__get_pydantic_json_schema__", json_schema)  # noqa: B010
        return enum

    return decorate
