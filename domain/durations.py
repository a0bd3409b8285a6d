"""Durations as a support manager writes them: `48h`, `PT48H`, `5 business days`, `15-20 days`."""

import re
from datetime import timedelta
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, model_validator

from domain.schema_examples import enum_examples


@enum_examples("business_days")
class DurationKind(StrEnum):
    ELAPSED = "elapsed"
    """Runs 24x7."""
    BUSINESS_HOURS = "business_hours"
    """Counts only working time of the complaint's country calendar."""
    BUSINESS_DAYS = "business_days"
    """The same local time on the N-th following working day (outside working hours: its close)."""


_SPELLINGS: dict[timedelta, tuple[str, ...]] = {
    timedelta(seconds=1): ("s", "sec", "second"),
    timedelta(minutes=1): ("m", "min", "minute"),
    timedelta(hours=1): ("h", "hr", "hour"),
    timedelta(days=1): ("d", "day"),
    timedelta(weeks=1): ("w", "week"),
}
_UNITS = {spelling: unit for unit, spellings in _SPELLINGS.items() for spelling in spellings}
_NUMBER = r"\d+(?:\.\d+)?"
_PATTERN = re.compile(
    rf"^(?:(?P<low>{_NUMBER})\s*[-\u2013]\s*)?(?P<high>{_NUMBER})\s*"
    r"(?P<business>business\s+)?(?P<unit>[a-z]+?)s?$"
)
_ISO = TypeAdapter(timedelta)
FORMS = "48h, 30m, 15s, 5 days, PT48H, 48 business hours, 5 business days, 15-20 days"


class Duration(BaseModel):
    """A window of time; a range (`15-20 days`) is a promise whose breach is its upper bound."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {"kind": "elapsed", "length": "P20D", "shortest": "P15D", "text": "15-20 days"},
                {
                    "kind": "business_days",
                    "length": "P5D",
                    "shortest": None,
                    "text": "5 business days",
                },
            ]
        },
    )

    kind: DurationKind
    length: timedelta
    """The upper bound; for business days, whole days."""
    shortest: timedelta | None = None
    """The lower bound of a promised range, told to the customer."""
    text: str
    """As the policy wrote it."""

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_duration(value).model_dump()
        if isinstance(value, timedelta):
            return Duration.elapsed(value).model_dump()
        return value

    @classmethod
    def elapsed(cls, length: timedelta) -> Self:
        return cls(kind=DurationKind.ELAPSED, length=length, text=_describe(length))

    @property
    def business_days(self) -> int:
        """Whole working days of a BUSINESS_DAYS duration."""
        return self.length.days

    def __str__(self) -> str:
        return self.text


def parse_duration(text: str) -> Duration:
    """Parse one of the documented forms; a ValueError says which forms are accepted."""
    written = " ".join(text.split())
    normalized = written.lower()
    if normalized.startswith("p"):
        try:
            length = _ISO.validate_python(written.upper())
        except ValidationError:
            raise ValueError(f"{text!r} is not an ISO 8601 duration; use one of: {FORMS}") from None
        return _checked(Duration(kind=DurationKind.ELAPSED, length=length, text=written))
    match = _PATTERN.match(normalized)
    if match is None or match["unit"] not in _UNITS:
        raise ValueError(f"{text!r} is not a duration; use one of: {FORMS}")
    unit = _UNITS[match["unit"]]
    high = float(match["high"]) * unit
    low = float(match["low"]) * unit if match["low"] else None
    if match["business"]:
        if unit == timedelta(days=1):
            kind = DurationKind.BUSINESS_DAYS
            if any(bound.seconds or bound.microseconds for bound in (high, low) if bound):
                raise ValueError(f"{text!r}: business days must be whole days")
        elif unit in (timedelta(hours=1), timedelta(minutes=1)):
            kind = DurationKind.BUSINESS_HOURS
        else:
            raise ValueError(f"{text!r}: business time is counted in hours, minutes or days")
    else:
        kind = DurationKind.ELAPSED
    if low is not None and low > high:
        raise ValueError(f"{text!r}: the range must run from the shorter to the longer time")
    return _checked(Duration(kind=kind, length=high, shortest=low, text=written))


def _checked(duration: Duration) -> Duration:
    if duration.length <= timedelta(0):
        raise ValueError(f"{duration.text!r}: a duration must be longer than zero")
    return duration


def _describe(length: timedelta) -> str:
    seconds = int(length.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
