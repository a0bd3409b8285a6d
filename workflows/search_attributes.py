"""The complaint's search attributes: what the API lists by and operators filter on in the Web UI.

One list, used by the workflow (upserts), the dev server (`--search-attribute` flags: run
`python -m workflows.search_attributes`), the test servers (`register`) and the docs.
Never personal data: customers appear only as their opaque HMAC id (`cus_…`).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import (
    SearchAttributeIndexedValueType,
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
)

from domain.view import ComplaintView

COMPLAINT_LEVEL = SearchAttributeKey.for_int("ComplaintLevel")
COMPLAINT_STATUS = SearchAttributeKey.for_keyword("ComplaintStatus")
OWNER_ROLE = SearchAttributeKey.for_keyword("OwnerRole")
BREACHED = SearchAttributeKey.for_bool("Breached")
DEADLINE = SearchAttributeKey.for_datetime("Deadline")
OPENED_AT = SearchAttributeKey.for_datetime("OpenedAt")
"""The complaint's filing time; unlike StartTime it survives continue-as-new."""
CASE_TYPES = SearchAttributeKey.for_keyword_list("CaseTypes")
"""Case types whose playbooks ran (running or done)."""
SERVICE_CENTRE = SearchAttributeKey.for_keyword("ServiceCentre")
"""The `service_centre` field of the first case that names one."""
COUNTRY = SearchAttributeKey.for_keyword("Country")
POLICY_NAME = SearchAttributeKey.for_keyword("PolicyName")
"""The name inside the brand's policy file (e.g. delonghi-mexico), not the brand key."""
REASON = SearchAttributeKey.for_keyword("Reason")
CHANNEL = SearchAttributeKey.for_keyword("Channel")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
MATTER_ID = SearchAttributeKey.for_keyword("MatterId")

SEARCH_ATTRIBUTES: tuple[SearchAttributeKey[Any], ...] = (
    COMPLAINT_LEVEL,
    COMPLAINT_STATUS,
    OWNER_ROLE,
    BREACHED,
    DEADLINE,
    OPENED_AT,
    CASE_TYPES,
    SERVICE_CENTRE,
    COUNTRY,
    POLICY_NAME,
    REASON,
    CHANNEL,
    CUSTOMER_ID,
    MATTER_ID,
)
TYPE_NAMES = {
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.KEYWORD_LIST: "KeywordList",
    SearchAttributeIndexedValueType.INT: "Int",
    SearchAttributeIndexedValueType.BOOL: "Bool",
    SearchAttributeIndexedValueType.DATETIME: "Datetime",
    SearchAttributeIndexedValueType.DOUBLE: "Double",
    SearchAttributeIndexedValueType.TEXT: "Text",
}
"""Type names as `temporal server start-dev --search-attribute Name=Type` spells them."""
SQLITE_SLOTS = {
    SearchAttributeIndexedValueType.KEYWORD: 10,
    SearchAttributeIndexedValueType.KEYWORD_LIST: 3,
    SearchAttributeIndexedValueType.INT: 3,
    SearchAttributeIndexedValueType.BOOL: 3,
    SearchAttributeIndexedValueType.DATETIME: 3,
    SearchAttributeIndexedValueType.DOUBLE: 3,
    SearchAttributeIndexedValueType.TEXT: 3,
}
"""Custom attributes per type the SQL visibility store (the dev server's SQLite) can hold."""

SearchValue = str | int | bool | datetime | Sequence[str] | None


def complaint_search_values(
    view: ComplaintView, customer_id: str | None, matter_id: str | None, reason_category: str
) -> dict[str, SearchValue]:
    """Each attribute's value for the complaint now, by name; None unsets it.

    The reason is its policy category (or `other`): the free text may hold personal data.
    """
    centres = [
        case.fields["service_centre"] for case in view.cases if "service_centre" in case.fields
    ]
    values: dict[SearchAttributeKey[Any], SearchValue] = {
        COMPLAINT_LEVEL: view.level,
        COMPLAINT_STATUS: view.status.value,
        OWNER_ROLE: view.owner_role,
        BREACHED: view.breached,
        DEADLINE: view.deadline,
        OPENED_AT: view.opened_at,
        CASE_TYPES: [case.case_type for case in view.cases] or None,
        SERVICE_CENTRE: centres[0] if centres else None,
        COUNTRY: view.intake.country,
        POLICY_NAME: view.policy_name,
        REASON: reason_category,
        CHANNEL: view.intake.channel.value,
        CUSTOMER_ID: customer_id,
        MATTER_ID: matter_id,
    }
    return {key.name: values[key] for key in SEARCH_ATTRIBUTES}


def typed(values: dict[str, SearchValue]) -> TypedSearchAttributes:
    """The values that are set, as a workflow starts with them."""
    return TypedSearchAttributes(
        [_pair(key, values[key.name]) for key in SEARCH_ATTRIBUTES if values[key.name] is not None]
    )


def _pair(key: SearchAttributeKey[Any], value: Any) -> SearchAttributePair[Any]:
    return SearchAttributePair(key, value)


def values_of(attributes: TypedSearchAttributes) -> dict[str, SearchValue]:
    """The values a workflow has, by name (as `complaint_search_values` gives them)."""
    return {pair.key.name: pair.value for pair in attributes}


def dev_server_flags() -> list[str]:
    """`--search-attribute Name=Type` for each attribute, for `temporal server start-dev`."""
    return [
        flag
        for key in SEARCH_ATTRIBUTES
        for flag in ("--search-attribute", f"{key.name}={TYPE_NAMES[key.indexed_value_type]}")
    ]


async def register(client: Client) -> None:
    """Register every attribute on the client's namespace (test servers; self-hosted clusters
    use `temporal operator search-attribute create`)."""
    types: dict[str, IndexedValueType.ValueType] = {
        key.name: IndexedValueType.ValueType(key.indexed_value_type) for key in SEARCH_ATTRIBUTES
    }
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(namespace=client.namespace, search_attributes=types)
    )


if __name__ == "__main__":
    print(" ".join(dev_server_flags()))
