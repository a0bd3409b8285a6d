"""Business time: working days, working hours and holidays of one time zone."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_serializer, field_validator, model_validator

MAX_GAP_DAYS = 3660
"""How far to look for a working day before deciding the calendar has none."""

_DAY = timedelta(days=1)

Interval = tuple[datetime, datetime]
"""A working day's hours as UTC instants, start <= end."""


def known_zone(value: str) -> str:
    """`value` if it names an IANA time zone; else a ValueError saying how to name one."""
    # `localtime` resolves to whatever the host is set to: workers would disagree.
    if value == "localtime":
        raise ValueError("time zone 'localtime' depends on the host; name an IANA zone")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown time zone {value!r}; use an IANA name like 'America/Mexico_City'"
        ) from error
    return value


def _wall_time_reached(local: datetime) -> time:
    """The latest wall time the day has shown by `local`: its own, except in a repeated hour.

    After a fall-back the clock shows 01:10 again after 01:59 had passed; counting from 01:10
    would give a later filing an earlier deadline, so the repeated hour counts as the wall time
    the clock had reached before it went back.
    """
    if not local.fold:
        return local.time()
    first = local.replace(fold=0)
    shift = (first.utcoffset() or timedelta(0)) - (local.utcoffset() or timedelta(0))
    if shift <= timedelta(0):
        return local.time()
    # The clock went back between the first occurrence of this wall time and now: find when.
    zone = local.tzinfo
    before, after = first.astimezone(UTC), local.astimezone(UTC)
    while after - before > timedelta(microseconds=1):
        middle = before + (after - before) / 2
        if middle.astimezone(zone).fold:
            after = middle
        else:
            before = middle
    return (after + shift).astimezone(zone).time()


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value!r}")


class BusinessCalendar(BaseModel):
    """Working days and hours of one IANA zone; holidays and other days never count."""

    model_config = ConfigDict(frozen=True)

    timezone: str
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    """Monday=0 .. Sunday=6."""
    day_start: time = time(9, 0)
    day_end: time = time(18, 0)
    holidays: frozenset[date] = frozenset()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @field_validator("working_days")
    @classmethod
    def _weekdays(cls, value: frozenset[int]) -> frozenset[int]:
        if not value:
            raise ValueError("working_days must name at least one weekday")
        wrong = sorted(day for day in value if not 0 <= day <= 6)
        if wrong:
            raise ValueError(
                f"working_days must be 0 (Monday) .. 6 (Sunday), got {', '.join(map(str, wrong))}"
            )
        return value

    @field_validator("day_start", "day_end")
    @classmethod
    def _wall_time(cls, value: time) -> time:
        # Hours are local wall times of `timezone`; an offset here would contradict it.
        if value.tzinfo is not None:
            raise ValueError(f"working hours are local wall times, got {value} with an offset")
        return value.replace(fold=0)

    @model_validator(mode="after")
    def _hours_in_order(self) -> Self:
        if self.day_start >= self.day_end:
            raise ValueError(
                f"day_start must be before day_end, got {self.day_start} >= {self.day_end}"
            )
        return self

    # Set order follows the per-process hash seed (dates hash their bytes): sort for stable JSON.
    @field_serializer("working_days", when_used="json")
    def _sorted_days(self, value: frozenset[int]) -> list[int]:
        return sorted(value)

    @field_serializer("holidays", when_used="json")
    def _sorted_holidays(self, value: frozenset[date]) -> list[date]:
        return sorted(value)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches instances per key

    def is_working_day(self, day: date) -> bool:
        """Whether `day` (a local date) is a working weekday and not a holiday."""
        return day.weekday() in self.working_days and day not in self.holidays

    def is_working_moment(self, at: datetime) -> bool:
        """Whether `at` lies inside a working day's hours (both ends included)."""
        _require_aware(at, "at")
        moment = at.astimezone(UTC)
        local_day = at.astimezone(self.zone).date()
        # Neighbours too: a DST shift can move a day's hours across local midnight.
        for day in (local_day - _DAY, local_day, local_day + _DAY):
            interval = self._interval(day)
            if interval is not None and interval[0] <= moment <= interval[1]:
                return True
        return False

    def next_working_moment(self, at: datetime) -> datetime:
        """`at` if it is a working moment, else the start of the next working day's hours."""
        _require_aware(at, "at")
        moment = at.astimezone(UTC)
        for start, end in self._intervals_from(at):
            if moment <= end:
                return max(moment, start).astimezone(self.zone)
        raise AssertionError("unreachable: _intervals_from never ends")  # pragma: no cover

    def last_working_moment(self, at: datetime) -> datetime:
        """`at` if it is a working moment, else the end of the last working hours before it."""
        _require_aware(at, "at")
        moment = at.astimezone(UTC)
        # From the day after: a DST shift can move a day's hours across local midnight.
        day = at.astimezone(self.zone).date() + _DAY
        for _ in range(MAX_GAP_DAYS + 2):
            interval = self._interval(day)
            if interval is not None and interval[0] <= moment:
                return min(moment, interval[1]).astimezone(self.zone)
            day -= _DAY
        raise ValueError(
            f"calendar {self.timezone} has no working day in the {MAX_GAP_DAYS} days before "
            f"{at.isoformat()}"
        )

    def add_business_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment `amount` of working time after `start` is used up.

        Ending exactly at a day's end gives that day's end, not the next day's start.
        """
        _require_aware(start, "start")
        if amount < timedelta(0):
            raise ValueError(f"business time to add must not be negative, got {amount}")
        if not amount:
            return self.next_working_moment(start)
        cursor = start.astimezone(UTC)
        left = amount
        for day_start, day_end in self._intervals_from(start):
            cursor = max(cursor, day_start)
            if cursor >= day_end:
                continue
            available = day_end - cursor
            if left <= available:
                return (cursor + left).astimezone(self.zone)
            left -= available
            cursor = day_end
        raise AssertionError("unreachable: _intervals_from never ends")  # pragma: no cover

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time inside [start, end]."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        begin, finish = start.astimezone(UTC), end.astimezone(UTC)
        if finish < begin:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        zone = self.zone
        day = start.astimezone(zone).date() - _DAY
        last = end.astimezone(zone).date() + _DAY
        total = timedelta(0)
        cursor = begin  # never count the same instant twice, even if days overlapped
        while day <= last:
            interval = self._interval(day)
            if interval is not None:
                low, high = max(cursor, interval[0]), min(finish, interval[1])
                if high > low:
                    total += high - low
                    cursor = high
            day += _DAY
        return total

    def add_business_days(
        self, start: datetime, days: int, *, from_last_working_moment: bool = True
    ) -> datetime:
        """The same local time on the `days`-th following working day, clamped into its hours.

        A start outside working hours counts from the close of the last working period before
        it, so a later start never ends earlier: Saturday 10:00 counts from Friday's close and
        ends at the close of the `days`-th working day, as people count business days.
        `from_last_working_moment=False` is the rule of complaints opened before
        `Switch.BUSINESS_DAYS_FROM_WORKING_TIME`: the start's own wall time, clamped, on the
        `days`-th working day after its local date (Saturday 10:00 could end before Friday 17:00).
        """
        _require_aware(start, "start")
        if days < 0:
            raise ValueError(f"business days to add must not be negative, got {days}")
        if days == 0:
            return self.next_working_moment(start)
        if from_last_working_moment:
            start = self.last_working_moment(start)
        local = start.astimezone(self.zone)
        day = local.date()
        interval: Interval | None = None
        for _ in range(days):
            day, interval = self._next_working_day(day)
        assert interval is not None  # days >= 1 steps at least once
        # Fold 0: on a fall-back day the repeated wall time means its first occurrence.
        shown = _wall_time_reached(local) if from_last_working_moment else local.time()
        wall = min(max(shown.replace(fold=0), self.day_start), self.day_end)
        moment = datetime.combine(day, wall, tzinfo=self.zone).astimezone(UTC)
        # A wall time inside a DST gap maps outside the hours; keep it within them.
        return min(max(moment, interval[0]), interval[1]).astimezone(self.zone)

    def _interval(self, day: date) -> Interval | None:
        """`day`'s working hours in UTC; None if it is not a working day.

        Also None in the freak case where day_start falls in a DST gap so late that it maps
        after day_end: such a day has no working time and no working moment.
        """
        if not self.is_working_day(day):
            return None
        zone = self.zone
        start = datetime.combine(day, self.day_start, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(day, self.day_end, tzinfo=zone).astimezone(UTC)
        return (start, end) if start <= end else None

    def _next_working_day(self, after: date) -> tuple[date, Interval]:
        """The first working day after `after`, with its hours."""
        day = after
        for _ in range(MAX_GAP_DAYS):
            day += _DAY
            interval = self._interval(day)
            if interval is not None:
                return day, interval
        raise ValueError(
            f"calendar {self.timezone} has no working day in the {MAX_GAP_DAYS} days after {after}"
        )

    def _intervals_from(self, at: datetime) -> Iterator[Interval]:
        """Working intervals in time order, from the local day before `at` on, without end."""
        day = at.astimezone(self.zone).date() - 2 * _DAY
        while True:
            day, interval = self._next_working_day(day)
            yield interval
