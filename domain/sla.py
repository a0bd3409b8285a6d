"""The SLA clock of one level: a window of elapsed or business time that can stop and resume."""

from datetime import datetime, timedelta
from typing import Self

from pydantic import BaseModel, ConfigDict, model_validator

from domain.calendar import BusinessCalendar
from domain.durations import Duration, DurationKind


def due_after(
    start: datetime,
    duration: Duration,
    calendar: BusinessCalendar | None,
    *,
    from_last_working_moment: bool,
) -> datetime:
    """When `duration` from `start` runs out: the one place every deadline is computed.

    `from_last_working_moment`: business days from a start outside working hours count from the
    close of the last working period (`Switch.BUSINESS_DAYS_FROM_WORKING_TIME`), not from the
    start's own wall time.
    """
    if duration.kind is DurationKind.ELAPSED:
        return start + duration.length
    if calendar is None:
        raise ValueError(f"{duration} is business time, but the complaint has no calendar")
    if duration.kind is DurationKind.BUSINESS_HOURS:
        return calendar.add_business_time(start, duration.length)
    return calendar.add_business_days(
        start, duration.business_days, from_last_working_moment=from_last_working_moment
    )


class SlaClock(BaseModel):
    """Counts a resolution window down; paused time does not count.

    `window` and `used` are business time when the clock has a calendar, elapsed time otherwise.
    The deadline is fixed whenever the clock (re)starts, so a window of business days ends at
    the same local time it would without pauses.
    """

    model_config = ConfigDict(frozen=True)

    window: timedelta
    used: timedelta = timedelta(0)
    running_since: datetime | None = None
    deadline: datetime | None = None
    """When the window runs out if nothing stops the clock; None while paused."""
    calendar: BusinessCalendar | None = None

    @model_validator(mode="after")
    def _v1_deadline(self) -> Self:
        # Clocks carried over from before deadlines were stored ran in elapsed time: derive it.
        if self.running_since is not None and self.deadline is None and self.calendar is None:
            return self.model_copy(
                update={"deadline": self.running_since + self.window - self.used}
            )
        return self

    @classmethod
    def start(
        cls,
        duration: Duration,
        at: datetime,
        calendar: BusinessCalendar | None,
        *,
        from_last_working_moment: bool = True,
    ) -> Self:
        """A fresh clock for `duration`, running from `at` (see `due_after`)."""
        deadline = due_after(
            at, duration, calendar, from_last_working_moment=from_last_working_moment
        )
        if duration.kind is DurationKind.ELAPSED:
            return cls(window=duration.length, running_since=at, deadline=deadline)
        assert calendar is not None  # due_after has raised otherwise
        window = calendar.business_time_between(at, deadline)
        return cls(window=window, running_since=at, deadline=deadline, calendar=calendar)

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def remaining(self, at: datetime) -> timedelta:
        """Time left at `at` (business time for a business window); negative once breached."""
        return self.window - self.used - self._running_for(at)

    def moment_used(self, amount: timedelta) -> datetime | None:
        """When `amount` of the window will have been used, counting on from now; None if paused."""
        if self.running_since is None:
            return None
        rest = max(amount - self.used, timedelta(0))
        if self.calendar is None:
            return self.running_since + rest
        return self.calendar.add_business_time(self.running_since, rest)

    def pause(self, at: datetime) -> Self:
        """Stop counting at `at`; pausing a paused clock changes nothing."""
        if self.running_since is None:
            return self
        return self.model_copy(
            update={
                "used": self.used + self._running_for(at),
                "running_since": None,
                "deadline": None,
            }
        )

    def resume(self, at: datetime) -> Self:
        """Count again from `at` with the time left; resuming a running clock changes nothing."""
        if self.running_since is not None:
            return self
        left = self.window - self.used
        if self.calendar is None:
            deadline = at + left
        else:
            deadline = self.calendar.add_business_time(at, max(left, timedelta(0)))
        return self.model_copy(update={"running_since": at, "deadline": deadline})

    def _running_for(self, at: datetime) -> timedelta:
        if self.running_since is None:
            return timedelta(0)
        if at < self.running_since:
            raise ValueError(
                f"{at.isoformat()} is before the clock started ({self.running_since.isoformat()})"
            )
        if self.calendar is None:
            return at - self.running_since
        return self.calendar.business_time_between(self.running_since, at)
