"""The duration forms a policy file accepts, and the errors it gives for the rest."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.durations import Duration, DurationKind, parse_duration

H = timedelta(hours=1)
D = timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "kind", "length", "shortest"),
    [
        ("48h", DurationKind.ELAPSED, 48 * H, None),
        ("30m", DurationKind.ELAPSED, timedelta(minutes=30), None),
        ("15s", DurationKind.ELAPSED, timedelta(seconds=15), None),
        ("1.5 hours", DurationKind.ELAPSED, 1.5 * H, None),
        ("12 Hours", DurationKind.ELAPSED, 12 * H, None),
        ("5 days", DurationKind.ELAPSED, 5 * D, None),
        ("1 week", DurationKind.ELAPSED, 7 * D, None),
        ("PT48H", DurationKind.ELAPSED, 48 * H, None),
        ("P1DT12H", DurationKind.ELAPSED, 36 * H, None),
        ("pt30m", DurationKind.ELAPSED, timedelta(minutes=30), None),
        ("48 business hours", DurationKind.BUSINESS_HOURS, 48 * H, None),
        ("90 business minutes", DurationKind.BUSINESS_HOURS, 90 * timedelta(minutes=1), None),
        ("5 business days", DurationKind.BUSINESS_DAYS, 5 * D, None),
        ("1 business day", DurationKind.BUSINESS_DAYS, D, None),
        ("15-20 days", DurationKind.ELAPSED, 20 * D, 15 * D),
        ("15\u201320 days", DurationKind.ELAPSED, 20 * D, 15 * D),
        ("3 - 5 business days", DurationKind.BUSINESS_DAYS, 5 * D, 3 * D),
        ("  72   h ", DurationKind.ELAPSED, 72 * H, None),
    ],
)
def test_accepted_forms(
    text: str, kind: DurationKind, length: timedelta, shortest: timedelta | None
) -> None:
    duration = parse_duration(text)
    assert (duration.kind, duration.length, duration.shortest) == (kind, length, shortest)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("48", "is not a duration"),
        ("48 hrs please", "is not a duration"),
        ("forty-eight hours", "is not a duration"),
        ("48 fortnights", "is not a duration"),
        ("P48X", "is not an ISO 8601 duration"),
        ("0h", "longer than zero"),
        ("20-15 days", "from the shorter to the longer"),
        ("2.5 business days", "whole days"),
        ("2 business weeks", "hours, minutes or days"),
    ],
)
def test_rejected_forms_say_what_is_accepted(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(text)


def test_a_duration_field_takes_text_or_a_timedelta_and_keeps_what_was_written() -> None:
    assert Duration.model_validate("5 business days").text == "5 business days"
    assert Duration.model_validate(timedelta(hours=4)) == parse_duration("4h")


@given(st.integers(min_value=1, max_value=10_000), st.sampled_from(["s", "m", "h", "d"]))
def test_serialised_durations_read_back_equal(amount: int, unit: str) -> None:
    duration = parse_duration(f"{amount}{unit}")
    assert Duration.model_validate(duration.model_dump(mode="json")) == duration
    assert Duration.model_validate_json(duration.model_dump_json()) == duration
