"""Query parameters and responses of complaint search (`GET /complaints`) and analytics."""

from datetime import UTC, datetime
from typing import Annotated

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

from api.credentials import CUSTOMER_ID_PATTERN, BrandKey
from api.visibility import compare, quotable
from domain.cases import CaseType
from domain.intake import CountryCode
from domain.status import ComplaintStatus
from workflows.search_attributes import OPENED_AT

SCAN_LIMIT = 2000
"""Complaints read to find the values of free-text attributes (reason, service centre, ...)."""


def _searchable(value: str) -> str:
    if not quotable(value):
        raise ValueError('quotes ("), backslashes and control characters cannot be searched for')
    return value


SearchText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_searchable),
]


def _in_utc(moment: datetime) -> datetime:
    try:
        _utc(moment).astimezone(UTC)
    except OverflowError:
        raise ValueError(
            f"{moment.isoformat()} has no UTC equivalent: give a moment from "
            "0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z"
        ) from None
    return moment


Moment = Annotated[datetime, AfterValidator(_in_utc)]
"""A moment a caller gives: without a zone it is UTC, and it must exist in UTC (year 1 east of
Greenwich, or year 9999 west of it, may not)."""


def invalid_query(field: str, message: str) -> RequestValidationError:
    """A 422 naming a query parameter that is well-formed but matches nothing it could mean."""
    return RequestValidationError(
        [{"loc": ("query", field), "msg": message, "type": "value_error", "input": None}]
    )


class Period(BaseModel):
    """When the complaints were filed: from inclusive, to exclusive (times without zone: UTC)."""

    model_config = ConfigDict(extra="forbid")

    opened_from: Moment | None = None
    opened_to: Moment | None = None

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
_BUCKET_VALUES = {
    "level": "1",
    "reason": "Phone dead after update",
    "case_type": "no_diagnosis",
    "brand": "xiaomi-in",
    "country": "IN",
    "service_centre": "SAT Norte",
}
"""One example value of each dimension the analytics count by."""
_ANALYTICS: JsonDict = {
    "opened_from": "2026-11-01T00:00:00Z",
    "opened_to": "2026-12-01T00:00:00Z",
    "overall": _COUNTS,
    **{f"by_{name}": [{"value": value, **_COUNTS}] for name, value in _BUCKET_VALUES.items()},
    "values_complete": True,
}


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
    model_config = ConfigDict(json_schema_extra={"examples": [_ANALYTICS]})

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


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
