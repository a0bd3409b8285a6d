"""Lists of complaints from Temporal visibility: search by filters, and counts for analytics.

Visibility is eventually consistent: a complaint shows up, or shows its new level, a moment
after its workflow upserts it (well under a second on the dev server).
"""

import asyncio
import base64
import binascii
import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.exceptions import RequestValidationError
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic.config import JsonDict
from temporalio.client import Client, WorkflowExecution
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError, RPCStatusCode

from api.auth import FORBIDDEN, UNAUTHORIZED, Admin, Authenticated, Authentication
from api.credentials import CUSTOMER_ID_PATTERN, Authenticator
from api.routers.complaints import Policies
from api.schemas import ErrorDetail
from api.temporal import TemporalClient
from api.visibility import all_of, compare, equals, one_of, quotable
from domain.cases import CaseType
from domain.history import ActorRole
from domain.intake import CountryCode
from domain.policy import OTHER_REASON
from domain.policy_files import PolicySet
from domain.status import ComplaintStatus
from workflows.search_attributes import (
    BREACHED,
    CASE_TYPES,
    COMPLAINT_LEVEL,
    COMPLAINT_STATUS,
    COUNTRY,
    CUSTOMER_ID,
    DEADLINE,
    OPENED_AT,
    OWNER_ROLE,
    POLICY_NAME,
    REASON,
    SERVICE_CENTRE,
)

router = APIRouter(tags=["search"], responses=UNAUTHORIZED)
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorDetail, "description": "Temporal's visibility (list) API is unavailable"}
}
OPEN_STATUSES = (
    ComplaintStatus.OPEN,
    ComplaintStatus.PAUSED,
    ComplaintStatus.AWAITING_APPROVAL,
    ComplaintStatus.AWAITING_CUSTOMER,
)
SCAN_LIMIT = 2000
"""Complaints read to find the values of free-text attributes (reason, service centre, ...)."""
COUNT_CONCURRENCY = 8
TAG_BYTES = 16


def _searchable(value: str) -> str:
    if not quotable(value):
        raise ValueError('quotes ("), backslashes and control characters cannot be searched for')
    return value


SearchText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_searchable),
]
BrandKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]


class Period(BaseModel):
    """When the complaints were filed: from inclusive, to exclusive (times without zone: UTC)."""

    model_config = ConfigDict(extra="forbid")

    opened_from: datetime | None = None
    opened_to: datetime | None = None

    @field_validator("opened_to")
    @classmethod
    def _after_from(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("opened_from")
        if value is not None and start is not None and _utc(value) <= _utc(start):
            raise ValueError("opened_to must be after opened_from")
        return value

    def clauses(self) -> list[str]:
        bounds = [(">=", self.opened_from), ("<", self.opened_to)]
        return [compare(OPENED_AT, op, moment) for op, moment in bounds if moment is not None]


class ComplaintFilters(Period):
    """Filters of `GET /complaints`; every one given must match."""

    customer_id: Annotated[str, StringConstraints(pattern=CUSTOMER_ID_PATTERN)] | None = None
    level: int | None = Field(default=None, ge=1, le=99)
    status: ComplaintStatus | None = None
    case_type: CaseType | None = Field(default=None, description="A playbook that ran on it")
    country: CountryCode | None = None
    brand: BrandKey | None = Field(default=None, description="Brand key, e.g. delonghi-mx")
    breached: bool | None = None
    reason: SearchText | None = Field(
        default=None,
        description="A reason category of the policy (`reason_categories`), or `other` for "
        "reasons outside them",
    )
    service_centre: SearchText | None = None
    page_size: int = Field(default=50, ge=1, le=100)
    page_token: str | None = Field(
        default=None, max_length=4096, description="`next_page_token` of the previous page"
    )


_SUMMARY: JsonDict = {
    "id": "3f9c2a7be41d0c55",
    "level": 2,
    "status": "open",
    "owner_role": "head_of_customer_service",
    "case_types": [],
    "country": "IN",
    "opened_at": "2026-11-23T10:15:00Z",
    "deadline": "2026-11-26T10:15:00Z",
    "breached": False,
}
_COUNTS: JsonDict = {"total": 200, "open": 180, "escalated": 12, "breached": 3}


class ComplaintSummary(BaseModel):
    """One complaint in a list; `GET /complaints/{id}` has the rest."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SUMMARY]})

    id: str
    level: int | None
    status: ComplaintStatus | None
    owner_role: str | None
    case_types: list[str]
    country: str | None
    opened_at: datetime
    deadline: datetime | None = Field(description="None while the clock is stopped or closed")
    breached: bool | None


class ComplaintPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"complaints": [_SUMMARY], "next_page_token": "q1:9f2c…:CiQ…"}]
        }
    )

    complaints: list[ComplaintSummary]
    next_page_token: str | None = Field(description="Pass as `page_token` for the next page")


class Counts(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_COUNTS]})

    total: int = Field(description="Filed in the period")
    open: int = Field(description="Not resolved or closed yet")
    escalated: int = Field(description="Above level 1")
    breached: int = Field(description="Past the last level's deadline")


class Bucket(Counts):
    model_config = ConfigDict(json_schema_extra={"examples": [{"value": "2", **_COUNTS}]})

    value: str


class ComplaintAnalytics(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "opened_from": "2026-11-01T00:00:00Z",
                    "opened_to": "2026-12-01T00:00:00Z",
                    "overall": _COUNTS,
                    "by_level": [{"value": "1", **_COUNTS}],
                    "by_reason": [{"value": "Phone dead after update", **_COUNTS}],
                    "by_case_type": [{"value": "no_diagnosis", **_COUNTS}],
                    "by_brand": [{"value": "xiaomi-in", **_COUNTS}],
                    "by_country": [{"value": "IN", **_COUNTS}],
                    "by_service_centre": [{"value": "SAT Norte", **_COUNTS}],
                    "values_complete": True,
                }
            ]
        }
    )

    opened_from: datetime | None
    opened_to: datetime | None
    overall: Counts
    by_level: list[Bucket]
    by_reason: list[Bucket]
    by_case_type: list[Bucket]
    by_brand: list[Bucket]
    by_country: list[Bucket]
    by_service_centre: list[Bucket]
    values_complete: bool = Field(
        description=f"False when the period has more than {SCAN_LIMIT} complaints: reasons, "
        "countries and service centres seen only beyond them are missing"
    )


@router.get(
    "/complaints",
    response_model=ComplaintPage,
    responses={**FORBIDDEN, **UNAVAILABLE},
    tags=["complaints"],
)
async def list_complaints(
    filters: Annotated[ComplaintFilters, Query()],
    client: TemporalClient,
    policies: Policies,
    caller: Authenticated,
    auth: Authentication,
) -> ComplaintPage:
    """Complaints matching every filter given, a page at a time: open workflows newest first,
    then finished ones, most recently closed first (Temporal's order).

    Customers see only their own: the customer id filter is theirs.
    """
    if caller.role is ActorRole.CUSTOMER:
        if filters.customer_id not in (None, caller.subject):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail="a customer lists only their own complaints: leave customer_id out",
            )
        filters = filters.model_copy(update={"customer_id": caller.subject})
    query = all_of(*_filter_clauses(filters, policies))
    token = _token_of(auth, query, filters.page_token)
    listing = client.list_workflows(query, page_size=filters.page_size, next_page_token=token)
    async with _visibility():
        await listing.fetch_next_page()
    return ComplaintPage(
        complaints=[_summary(execution) for execution in listing.current_page or []],
        next_page_token=_cursor(auth, query, listing.next_page_token),
    )


@router.get(
    "/analytics/complaints",
    response_model=ComplaintAnalytics,
    responses={**FORBIDDEN, **UNAVAILABLE},
    tags=["analytics"],
)
async def complaint_analytics(
    period: Annotated[Period, Query()], client: TemporalClient, policies: Policies, caller: Admin
) -> ComplaintAnalytics:
    """Open, escalated and breached complaints filed in the period, by level, reason, case type,
    brand, country and service centre (one visibility count per value)."""
    async with _visibility():
        seen, complete = await _seen_values(client, all_of(*period.clauses()))
        levels = range(1, max(policy.top for policy in policies.policies.values()) + 1)
        case_types = {t for policy in policies.policies.values() for t in policy.playbooks}
        countries = {
            country
            for policy in policies.policies.values()
            for country in policy.calendars
            if country != "default"
        }
        brands = _brand_names(policies)
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
        clauses = period.clauses()

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


def _filter_clauses(filters: ComplaintFilters, policies: PolicySet) -> list[str]:
    clauses = filters.clauses()
    if filters.brand is not None:
        names = _brand_names(policies)
        if filters.brand not in names:
            known = ", ".join(sorted(names))
            raise _query_error("brand", f"no policy for brand {filters.brand!r}; known: {known}")
        clauses.append(equals(POLICY_NAME, names[filters.brand]))
    pairs = [
        (CUSTOMER_ID, filters.customer_id),
        (COMPLAINT_LEVEL, filters.level),
        (COMPLAINT_STATUS, filters.status.value if filters.status else None),
        (CASE_TYPES, filters.case_type),
        (COUNTRY, filters.country),
        (BREACHED, filters.breached),
        (REASON, filters.reason),
        (SERVICE_CENTRE, filters.service_centre),
    ]
    return clauses + [equals(key, value) for key, value in pairs if value is not None]


def _brand_names(policies: PolicySet) -> dict[str, str]:
    """Brand key to the name inside its policy file, which the complaints carry."""
    return {brand: policies.for_brand(brand).name for brand in policies.brands}


def _cursor(auth: Authenticator, query: str, token: bytes | None) -> str | None:
    """Temporal's page token, tagged with an HMAC of the query: a cursor works only with the
    query it came from, and a forged one never reaches Temporal (which retries garbage)."""
    if not token:
        return None
    return base64.urlsafe_b64encode(_tag(auth, query) + token).decode()


def _token_of(auth: Authenticator, query: str, cursor: str | None) -> bytes | None:
    if cursor is None:
        return None
    try:
        raw = base64.b64decode(cursor.encode(), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    tag, token = raw[:TAG_BYTES], raw[TAG_BYTES:]
    if not token or not hmac.compare_digest(tag, _tag(auth, query)):
        raise _query_error("page_token", "not a next_page_token of this query")
    return token


def _tag(auth: Authenticator, query: str) -> bytes:
    message = b"page-token\0" + query.encode()
    return hmac.new(auth.customer_id_secret, message, hashlib.sha256).digest()[:TAG_BYTES]


def _summary(execution: WorkflowExecution) -> ComplaintSummary:
    values = execution.typed_search_attributes
    complaint_status = values.get(COMPLAINT_STATUS)
    return ComplaintSummary(
        id=execution.id.removeprefix("complaint-"),
        level=values.get(COMPLAINT_LEVEL),
        status=ComplaintStatus(complaint_status) if complaint_status else None,
        owner_role=values.get(OWNER_ROLE),
        case_types=list(values.get(CASE_TYPES) or []),
        country=values.get(COUNTRY),
        opened_at=values.get(OPENED_AT) or execution.start_time,
        deadline=values.get(DEADLINE),
        breached=values.get(BREACHED),
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


@asynccontextmanager
async def _visibility() -> AsyncIterator[None]:
    """A server without the list API (the Java test server), or out of reach: 503."""
    try:
        yield
    except RPCError as err:
        if err.status in (
            RPCStatusCode.UNIMPLEMENTED,
            RPCStatusCode.UNAVAILABLE,
            RPCStatusCode.DEADLINE_EXCEEDED,
        ):
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail=f"Temporal cannot list complaints now: {err.message}",
            ) from err
        raise


def _query_error(field: str, message: str) -> RequestValidationError:
    return RequestValidationError(
        [{"loc": ("query", field), "msg": message, "type": "value_error", "input": None}]
    )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
