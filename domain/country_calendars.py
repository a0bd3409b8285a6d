"""The policy's calendar entries: a country's working days and hours, as policy files write them."""

from datetime import time
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from domain.calendar import known_zone

DEFAULT_CALENDAR = "default"
"""The calendar key for countries the policy names no calendar for."""

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _day_index(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower()[:3] in _DAYS:
        return _DAYS.index(value.strip().lower()[:3])
    return value


class CountryCalendar(BaseModel):
    """Working days and hours of a country, in its time zone; public holidays come from its code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = Field(min_length=1, description="IANA zone, e.g. America/Mexico_City")
    working_days: tuple[Annotated[int, BeforeValidator(_day_index), Field(ge=0, le=6)], ...] = (
        0,
        1,
        2,
        3,
        4,
    )
    hours: tuple[time, time] = (time(9, 0), time(18, 0))
    holidays_from: str | None = Field(
        default=None,
        description="Country code whose public holidays apply (default: the calendar's own key)",
    )
    subdivision: str | None = Field(default=None, description="State or province for holidays")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # Checked here, not only when a complaint's calendar is built: a misspelt zone would
        # load, then every filing for the country would fail.
        return known_zone(value)

    @field_validator("hours", mode="before")
    @classmethod
    def _hours_from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            start, _, end = value.partition("-")
            return (start.strip(), end.strip())
        return value

    @model_validator(mode="after")
    def _sensible(self) -> Self:
        if not self.working_days:
            raise ValueError("give at least one working day")
        if self.hours[0] >= self.hours[1]:
            raise ValueError(f"working hours must start before they end, got {self.hours}")
        return self

    def holiday_country(self, key: str) -> str | None:
        """Whose public holidays apply to the calendar at `key`: `default` has none of its own."""
        return self.holidays_from or (None if key == DEFAULT_CALENDAR else key)
