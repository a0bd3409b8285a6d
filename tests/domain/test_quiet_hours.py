"""Quiet hours: when a role must not be disturbed, in its local time, DST included."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from domain.notification_policy import QuietHours

NIGHT = QuietHours.model_validate({"from": "22:00", "to": "07:00"})


@pytest.mark.parametrize(
    ("utc_hour", "release"),
    [
        (15, None),  # 20:30 in India: not yet quiet
        (17, datetime(2026, 12, 1, 1, 30, tzinfo=UTC)),  # 22:30: until 07:00 tomorrow
        (20, datetime(2026, 12, 1, 1, 30, tzinfo=UTC)),  # 01:30: until 07:00 today (local)
        (1, datetime(2026, 11, 30, 1, 30, tzinfo=UTC)),  # 06:30: half an hour left
        (2, None),  # 07:30: over
    ],
)
def test_an_overnight_window_ends_at_the_next_local_morning(
    utc_hour: int, release: datetime | None
) -> None:
    moment = datetime(2026, 11, 30, utc_hour, 0, tzinfo=UTC)
    assert NIGHT.release_at(moment, "Asia/Kolkata") == release


def test_the_release_is_never_in_the_past_across_the_autumn_clock_change() -> None:
    early = QuietHours.model_validate({"from": "00:00", "to": "01:30"})
    second_one_ten = datetime(2026, 11, 1, 6, 10, tzinfo=UTC)  # 01:10 EST, after the change
    assert early.release_at(second_one_ten, "America/New_York") == datetime(
        2026, 11, 1, 6, 30, tzinfo=UTC
    )


def test_a_rule_names_a_real_zone_and_an_on_call_contact_that_can_take_its_channels() -> None:
    with pytest.raises(ValidationError, match="unknown time zone 'Asia/Bangalore'"):
        QuietHours.model_validate({"from": "22:00", "to": "07:00", "timezone": "Asia/Bangalore"})
    with pytest.raises(ValidationError, match=r"on-call contact needs an address for \['sms'\]"):
        QuietHours.model_validate(
            {"from": "22:00", "to": "07:00", "then": "on_call", "on_call": {"email": "n@x.com"}}
        )
