"""The SLA clock of one level: a window of time that can stop and resume."""

from datetime import datetime, timedelta
from typing import Self

from pydantic import BaseModel, ConfigDict


class SlaClock(BaseModel):
    """Counts a resolution window down; paused time does not count.

    `used` is the time consumed by earlier running spans; `running_since` is set while it runs.
    """

    model_config = ConfigDict(frozen=True)

    window: timedelta
    used: timedelta = timedelta(0)
    running_since: datetime | None = None

    @classmethod
    def start(cls, window: timedelta, at: datetime) -> Self:
        """A fresh clock running from `at`."""
        return cls(window=window, running_since=at)

    @property
    def running(self) -> bool:
        return self.running_since is not None

    @property
    def deadline(self) -> datetime | None:
        """When the window runs out if nothing stops the clock; None while paused."""
        if self.running_since is None:
            return None
        return self.running_since + (self.window - self.used)

    def remaining(self, at: datetime) -> timedelta:
        """Time left at `at`; negative once breached."""
        return self.window - self.used - self._running_for(at)

    def pause(self, at: datetime) -> Self:
        """Stop counting at `at`; pausing a paused clock changes nothing."""
        if self.running_since is None:
            return self
        return self.model_copy(
            update={"used": self.used + self._running_for(at), "running_since": None}
        )

    def resume(self, at: datetime) -> Self:
        """Count again from `at` with the time left; resuming a running clock changes nothing."""
        if self.running_since is not None:
            return self
        return self.model_copy(update={"running_since": at})

    def _running_for(self, at: datetime) -> timedelta:
        if self.running_since is None:
            return timedelta(0)
        if at < self.running_since:
            raise ValueError(
                f"{at.isoformat()} is before the clock started ({self.running_since.isoformat()})"
            )
        return at - self.running_since
