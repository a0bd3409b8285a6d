"""Complaint analytics from Temporal visibility: open, escalated and breached complaints of a
period, overall and by level, reason, case type, brand, country and service centre."""

import asyncio
from typing import Any

from temporalio.client import Client
from temporalio.common import SearchAttributeKey

from api.brand_scope import scope_clause
from api.complaint_search import brand_names
from api.credentials import Principal
from api.search_schemas import SCAN_LIMIT, Bucket, ComplaintAnalytics, Counts, Period
from api.visibility import all_of, compare, equals, one_of, quotable
from domain.policy import OTHER_REASON
from domain.policy_files import PolicySet
from domain.status import ComplaintStatus
from workflows.search_attributes import (
    BREACHED,
    CASE_TYPES,
    COMPLAINT_LEVEL,
    COMPLAINT_STATUS,
    COUNTRY,
    POLICY_NAME,
    REASON,
    SERVICE_CENTRE,
)

OPEN_STATUSES = (
    ComplaintStatus.OPEN,
    ComplaintStatus.PAUSED,
    ComplaintStatus.AWAITING_APPROVAL,
    ComplaintStatus.AWAITING_CUSTOMER,
)
COUNT_CONCURRENCY = 8


async def complaint_counts(
    client: Client, policies: PolicySet, period: Period, caller: Principal
) -> ComplaintAnalytics:
    """The period's counts: one visibility count per value of each dimension, of the caller's
    brands' complaints when their credentials list `brands`.

    The values are those the policies know, and those seen among the period's complaints.
    """
    clauses = [*period.clauses(), *scope_clause(caller, policies)]
    seen, complete = await _seen_values(client, all_of(*clauses))
    policies = PolicySet(  # the values other brands' policies know are not the caller's business
        policies={key: p for key, p in policies.policies.items() if caller.sees_brand(key)}
    )
    levels = range(1, max((policy.top for policy in policies.policies.values()), default=1) + 1)
    case_types = {t for policy in policies.policies.values() for t in policy.playbooks}
    countries = {
        country
        for policy in policies.policies.values()
        for country in policy.calendars
        if country != "default"
    }
    brands = brand_names(policies)
    brands.update({name: name for name in seen["brand"] if name not in brands.values()})
    limit = asyncio.Semaphore(COUNT_CONCURRENCY)
    dimensions = {
        "level": {str(level): equals(COMPLAINT_LEVEL, level) for level in levels},
        "reason": _by_value(REASON, _reason_categories(policies) | seen["reason"]),
        "case_type": _by_value(CASE_TYPES, case_types | seen["case_type"]),
        "brand": {brand: equals(POLICY_NAME, name) for brand, name in brands.items()},
        "country": _by_value(COUNTRY, countries | seen["country"]),
        "service_centre": _by_value(SERVICE_CENTRE, seen["service_centre"]),
    }

    async def buckets(values: dict[str, str]) -> list[Bucket]:
        found = (_bucket(client, limit, clauses, v, clause) for v, clause in values.items())
        return list(await asyncio.gather(*found))

    overall, counted = await asyncio.gather(
        _counts(client, limit, clauses),
        asyncio.gather(*(buckets(values) for values in dimensions.values())),
    )
    grouped = dict(zip(dimensions, counted, strict=True))
    return ComplaintAnalytics(
        opened_from=period.opened_from,
        opened_to=period.opened_to,
        overall=overall,
        by_level=grouped["level"],
        by_reason=grouped["reason"],
        by_case_type=grouped["case_type"],
        by_brand=grouped["brand"],
        by_country=grouped["country"],
        by_service_centre=grouped["service_centre"],
        values_complete=complete,
    )


async def _seen_values(client: Client, query: str) -> tuple[dict[str, set[str]], bool]:
    """Values of the free-text attributes among the period's first SCAN_LIMIT complaints."""
    seen: dict[str, set[str]] = {
        name: set() for name in ("reason", "case_type", "country", "service_centre", "brand")
    }
    scanned = 0
    async for execution in client.list_workflows(query, page_size=1000, limit=SCAN_LIMIT + 1):
        scanned += 1
        if scanned > SCAN_LIMIT:
            return seen, False
        values = execution.typed_search_attributes
        for name, key in (
            ("reason", REASON),
            ("country", COUNTRY),
            ("service_centre", SERVICE_CENTRE),
            ("brand", POLICY_NAME),
        ):
            if (value := values.get(key)) is not None:
                seen[name].add(value)
        seen["case_type"].update(values.get(CASE_TYPES) or [])
    return seen, True


def _reason_categories(policies: PolicySet) -> set[str]:
    categories = {c for policy in policies.policies.values() for c in policy.reason_categories}
    return categories | {OTHER_REASON}


def _by_value(key: SearchAttributeKey[Any], values: set[str]) -> dict[str, str]:
    # A value visibility cannot match (a quote in a reason, say) is left out, not miscounted.
    return {value: equals(key, value) for value in sorted(values) if quotable(value)}


async def _counts(client: Client, limit: asyncio.Semaphore, clauses: list[str]) -> Counts:
    async def count(*more: str) -> int:
        async with limit:
            return (await client.count_workflows(all_of(*clauses, *more))).count

    total, open_, escalated, breached = await asyncio.gather(
        count(),
        count(one_of(COMPLAINT_STATUS, [s.value for s in OPEN_STATUSES])),
        count(compare(COMPLAINT_LEVEL, ">", 1)),
        count(equals(BREACHED, True)),
    )
    return Counts(total=total, open=open_, escalated=escalated, breached=breached)


async def _bucket(
    client: Client, limit: asyncio.Semaphore, clauses: list[str], value: str, clause: str
) -> Bucket:
    counts = await _counts(client, limit, [*clauses, clause])
    return Bucket(value=value, **counts.model_dump())
