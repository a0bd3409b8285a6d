"""Visibility queries over the complaint search attributes, built from values, never from text.

Every value goes through `literal`, which quotes it; anything a query could be bent with is
refused before (the request models reject it with a 422 naming the field).
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from temporalio.common import SearchAttributeKey

UNQUOTABLE = ('"', "\\")
"""Characters the SQLite visibility store does not match reliably even when escaped."""
COMPLAINTS = "WorkflowType = 'ComplaintWorkflow' AND ExecutionStatus != 'ContinuedAsNew'"
"""Every complaint once: a complaint that continued as new also has its earlier runs listed."""

Value = str | int | bool | datetime


def literal(value: Value) -> str:
    """A value as a visibility query literal: quoted strings and times, bare numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return f"'{moment.astimezone(UTC).isoformat()}'"
    if not quotable(value):
        raise ValueError(f"cannot search for {value!r}: quotes, backslashes, control characters")
    return "'" + value.replace("'", "''") + "'"


def quotable(value: str) -> bool:
    """Whether `literal` takes this string."""
    return not any(char in value for char in UNQUOTABLE) and value.isprintable()


def equals(key: SearchAttributeKey[Any], value: Value) -> str:
    """`Key = value`; on a keyword list, true when the list holds the value."""
    return f"{key.name} = {literal(value)}"


def one_of(key: SearchAttributeKey[Any], values: Sequence[Value]) -> str:
    return f"{key.name} IN ({', '.join(literal(value) for value in values)})"


def compare(key: SearchAttributeKey[Any], operator: str, value: Value) -> str:
    if operator not in ("<", "<=", ">", ">="):
        raise ValueError(f"unknown comparison {operator!r}")
    return f"{key.name} {operator} {literal(value)}"


def all_of(*clauses: str) -> str:
    """Complaints (never other workflows) matching every clause."""
    return " AND ".join((COMPLAINTS, *clauses))
