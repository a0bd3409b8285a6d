"""The SLA clock: deadlines, pauses and resumes in elapsed time."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.durations import Duration
from domain.sla import SlaClock

T0 = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_fresh_clock_deadline_is_start_plus_window() -> None:
    clock = SlaClock.start(Duration.elapsed(48 * H), T0, None)
    assert clock.deadline == T0 + 48 * H
    assert clock.remaining(T0 + 10 * H) == 38 * H


def test_pause_stops_the_deadline_and_resume_keeps_exactly_the_remaining_time() -> None:
    clock = SlaClock.start(Duration.elapsed(48 * H), T0, None).pause(T0 + 10 * H)
    assert clock.deadline is None
    assert clock.remaining(T0 + 100 * H) == 38 * H
    resumed = clock.resume(T0 + 30 * H)
    assert resumed.deadline == T0 + 30 * H + 38 * H


def test_repeated_pauses_add_up() -> None:
    clock = SlaClock.start(Duration.elapsed(24 * H), T0, None)
    for start in (2, 10, 20):  # run 2 h, pause 3 h, each time
        clock = clock.pause(T0 + start * H).resume(T0 + (start + 3) * H)
    # ran 0-2, 5-10 and 13-20: 14 h used, so 10 h left from the last resume at 23 h
    assert clock.used == 14 * H
    assert clock.deadline == T0 + 33 * H


def test_pause_and_resume_are_idempotent() -> None:
    clock = SlaClock.start(Duration.elapsed(8 * H), T0, None)
    assert clock.resume(T0 + H) == clock
    paused = clock.pause(T0 + H)
    assert paused.pause(T0 + 2 * H) == paused


def test_remaining_goes_negative_after_the_deadline() -> None:
    assert SlaClock.start(Duration.elapsed(H), T0, None).remaining(T0 + 3 * H) == -2 * H


def test_time_before_the_start_is_an_error() -> None:
    with pytest.raises(ValueError, match="before the clock started"):
        SlaClock.start(Duration.elapsed(H), T0, None).remaining(T0 - H)
