"""Business calendar: properties over random zones and holidays, plus hand-computed examples."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.calendar import MAX_GAP_DAYS, BusinessCalendar

MEXICO = ZoneInfo("America/Mexico_City")
INDIA = ZoneInfo("Asia/Kolkata")
TIJUANA = ZoneInfo("America/Tijuana")
ZONES = ["America/Mexico_City", "Asia/Kolkata", "America/Tijuana", "America/New_York", "UTC"]
PROPERTY = settings(max_examples=200, deadline=None)
HOLIDAYS_FROM = date(2025, 12, 1)

REVOLUTION_DAY = date(2026, 11, 16)  # Monday, observed
GANDHI_JAYANTI = date(2026, 10, 2)  # Friday
DUSSEHRA = date(2026, 10, 20)  # Tuesday


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    """Any zone (some with DST), any non-empty set of working days, hours and holidays."""
    if draw(st.booleans()):
        day_start, day_end = time(9), time(18)
    else:
        # Minutes of the day; hours may straddle the 02:00 DST switch of the US/Mexico border.
        first = draw(st.integers(0, 22 * 60))
        last = draw(st.integers(first + 30, 23 * 60 + 59))
        day_start, day_end = time(*divmod(first, 60)), time(*divmod(last, 60))
    return BusinessCalendar(
        timezone=draw(st.sampled_from(ZONES)),
        working_days=draw(st.frozensets(st.integers(0, 6), min_size=1)),
        day_start=day_start,
        day_end=day_end,
        holidays=frozenset(
            # Day offsets, not st.dates(): the same spread at a fraction of the generation cost.
            HOLIDAYS_FROM + timedelta(days=n)
            for n in draw(st.lists(st.integers(0, 580), max_size=30))
        ),
    )


def _moment(microseconds: int, zone: ZoneInfo) -> datetime:
    # Wall times inside a DST gap (imaginary moments) are kept on purpose.
    return (datetime(2026, 1, 1) + timedelta(microseconds=microseconds)).replace(tzinfo=zone)


# Built from integers rather than st.datetimes()/st.timedeltas(), which cost far more to draw.
moments = st.builds(
    _moment,
    st.integers(0, 365 * 24 * 3600 * 10**6 - 1),
    st.sampled_from([ZoneInfo(name) for name in ZONES]),
)
amounts = st.one_of(
    st.integers(0, 200 * 3600).map(lambda seconds: timedelta(seconds=seconds)),
    st.integers(0, 200 * 3600 * 10**6).map(lambda micro: timedelta(microseconds=micro)),
)


def with_holidays(calendar: BusinessCalendar, extra: set[date]) -> BusinessCalendar:
    return calendar.model_copy(update={"holidays": calendar.holidays | extra})


def working_hours_of(calendar: BusinessCalendar, day: date) -> tuple[datetime, datetime]:
    """The day's hours as UTC instants, computed independently of the module."""
    zone = ZoneInfo(calendar.timezone)
    return (
        datetime.combine(day, calendar.day_start, tzinfo=zone).astimezone(UTC),
        datetime.combine(day, calendar.day_end, tzinfo=zone).astimezone(UTC),
    )


# Properties


@PROPERTY
@given(calendar=calendars(), start=moments, amount=amounts)
def test_measuring_an_addition_gives_back_the_amount(
    calendar: BusinessCalendar, start: datetime, amount: timedelta
) -> None:
    due = calendar.add_business_time(start, amount)
    assert due.tzinfo == ZoneInfo(calendar.timezone)
    assert calendar.business_time_between(start, due) == amount


@PROPERTY
@given(
    calendar=calendars(), start=moments, amount=amounts, days=st.integers(min_value=0, max_value=40)
)
def test_results_are_working_moments(
    calendar: BusinessCalendar, start: datetime, amount: timedelta, days: int
) -> None:
    assert calendar.is_working_moment(calendar.next_working_moment(start))
    assert calendar.is_working_moment(calendar.add_business_time(start, amount))
    assert calendar.is_working_moment(calendar.add_business_days(start, days))


@PROPERTY
@given(
    calendar=calendars(),
    one=moments,
    other=moments,
    days=st.integers(min_value=1, max_value=40),
)
def test_a_later_start_never_ends_earlier_in_business_days(
    calendar: BusinessCalendar, one: datetime, other: datetime, days: int
) -> None:
    earlier, later = sorted((one, other))
    assert calendar.add_business_days(earlier, days) <= calendar.add_business_days(later, days)


@PROPERTY
@given(calendar=calendars(), start=moments)
def test_the_last_working_moment_is_one_and_not_after(
    calendar: BusinessCalendar, start: datetime
) -> None:
    last = calendar.last_working_moment(start)
    assert calendar.is_working_moment(last)
    assert last <= start
    assert calendar.business_time_between(last, start) == timedelta(0)


@PROPERTY
@given(calendar=calendars(), start=moments, one=amounts, other=amounts)
def test_more_time_never_ends_earlier(
    calendar: BusinessCalendar, start: datetime, one: timedelta, other: timedelta
) -> None:
    less, more = sorted((one, other))
    # Compare instants in UTC: same-zone aware datetimes compare by wall time.
    earlier = calendar.add_business_time(start, less).astimezone(UTC)
    assert earlier <= calendar.add_business_time(start, more).astimezone(UTC)
    assert earlier >= start.astimezone(UTC)


@PROPERTY
@given(
    calendar=calendars(),
    first=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
    length=st.integers(min_value=1, max_value=20),
)
def test_a_span_of_idle_days_measures_nothing(
    calendar: BusinessCalendar, first: date, length: int
) -> None:
    days = [first + timedelta(days=n) for n in range(length)]
    # Working weekdays become holidays; the rest are idle already.
    idle = with_holidays(calendar, {day for day in days if day.weekday() in calendar.working_days})
    zone = ZoneInfo(calendar.timezone)
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(days[-1] + timedelta(days=1), time(0), tzinfo=zone)
    assert idle.business_time_between(start, end) == timedelta(0)


@PROPERTY
@given(
    calendar=calendars(),
    start=moments,
    span=st.timedeltas(min_value=timedelta(days=1), max_value=timedelta(days=30)),
    data=st.data(),
)
def test_a_holiday_removes_exactly_its_working_hours(
    calendar: BusinessCalendar, start: datetime, span: timedelta, data: st.DataObject
) -> None:
    end = start + span
    first = start.astimezone(ZoneInfo(calendar.timezone)).date()
    candidates = [
        day
        for day in (first + timedelta(days=n) for n in range(span.days + 2))
        if calendar.is_working_day(day)
        and start <= working_hours_of(calendar, day)[0] < working_hours_of(calendar, day)[1] <= end
    ]
    assume(candidates)
    holiday = data.draw(st.sampled_from(candidates))
    opens, closes = working_hours_of(calendar, holiday)
    before = calendar.business_time_between(start, end)
    after = with_holidays(calendar, {holiday}).business_time_between(start, end)
    assert before - after == closes - opens


# Daylight saving time on the US/Mexico border


def test_tijuana_switches_clocks_on_the_weekends_used_below() -> None:
    """Precondition: Tijuana is -08:00 before 2026-03-08 02:00, -07:00 until 2026-11-01 02:00."""
    assert datetime(2026, 3, 8, 1, 59, tzinfo=TIJUANA).utcoffset() == timedelta(hours=-8)
    assert datetime(2026, 3, 8, 3, 0, tzinfo=TIJUANA).utcoffset() == timedelta(hours=-7)
    assert datetime(2026, 11, 1, 0, 30, tzinfo=TIJUANA).utcoffset() == timedelta(hours=-7)
    assert datetime(2026, 11, 1, 3, 0, tzinfo=TIJUANA).utcoffset() == timedelta(hours=-8)


@pytest.mark.parametrize(
    "day",
    [date(2026, 3, 6), date(2026, 3, 8), date(2026, 3, 9), date(2026, 11, 1), date(2026, 11, 2)],
)
def test_a_working_day_counts_nine_hours_across_the_switch(day: date) -> None:
    """09:00-18:00 never contains the 02:00 switch, so every day, the Sundays included, is 9 h."""
    every_day = BusinessCalendar(timezone="America/Tijuana", working_days=frozenset(range(7)))
    start = datetime.combine(day, time(0), tzinfo=TIJUANA)
    end = datetime.combine(day, time(23, 59), tzinfo=TIJUANA)
    assert every_day.business_time_between(start, end) == timedelta(hours=9)


@pytest.mark.parametrize(
    ("day", "hours"), [(date(2026, 3, 8), 11), (date(2026, 11, 1), 13), (date(2026, 3, 9), 12)]
)
def test_hours_spanning_the_switch_count_real_elapsed_time(day: date, hours: int) -> None:
    """00:00-12:00 is 11 h when the clock skips 02:00-03:00, 13 h when 01:00-02:00 repeats."""
    calendar = BusinessCalendar(
        timezone="America/Tijuana",
        working_days=frozenset(range(7)),
        day_start=time(0),
        day_end=time(12),
    )
    start = datetime.combine(day, time(0), tzinfo=TIJUANA)
    assert calendar.business_time_between(start, start + timedelta(days=1)) == timedelta(
        hours=hours
    )
    assert calendar.add_business_time(start, timedelta(hours=hours)).isoformat() == (
        datetime.combine(day, time(12), tzinfo=TIJUANA).isoformat()
    )


@pytest.mark.parametrize(
    ("start", "expected", "elapsed"),
    [
        # Spring forward: Fri 10:00 PST (18:00Z) -> Mon 10:00 PDT (17:00Z Mon) = 72 h - 1 h.
        ("2026-03-06T10:00:00-08:00", "2026-03-09T10:00:00-07:00", 71),
        # Fall back: Fri 10:00 PDT (17:00Z) -> Mon 10:00 PST (18:00Z Mon) = 72 h + 1 h.
        ("2026-10-30T10:00:00-07:00", "2026-11-02T10:00:00-08:00", 73),
    ],
)
def test_nine_business_hours_across_the_switch_weekend(
    start: str, expected: str, elapsed: int
) -> None:
    """Fri 10:00 + 9 h: 8 h on Friday, 1 h on Monday -> Monday 10:00 local, whatever the offset."""
    calendar = BusinessCalendar(timezone="America/Tijuana")
    opened = datetime.fromisoformat(start)
    due = calendar.add_business_time(opened, timedelta(hours=9))
    assert due.isoformat() == expected
    assert due - opened == timedelta(hours=elapsed)


@pytest.mark.parametrize("friday", [date(2026, 3, 6), date(2026, 10, 30)])
def test_nine_business_hours_from_friday_morning_end_that_friday(friday: date) -> None:
    """Fri 09:00 + 9 h uses Friday up exactly: the answer is Fri 18:00, not Monday 09:00."""
    calendar = BusinessCalendar(timezone="America/Tijuana")
    opened = datetime.combine(friday, time(9), tzinfo=TIJUANA)
    due = calendar.add_business_time(opened, timedelta(hours=9))
    assert due.isoformat() == datetime.combine(friday, time(18), tzinfo=TIJUANA).isoformat()


# Worked examples


def test_mexico_48_business_hours_over_revolution_day() -> None:
    """Fri 2026-11-13 17:00 -06:00 + 48 h: Fri 1 h; Mon 16 holiday; Tue 17-Fri 20 4x9 = 36 -> 37;
    Mon 23 9 -> 46; Tue 24 +2 h -> 11:00. Mexico City is -06:00 all year since 2022."""
    calendar = BusinessCalendar(
        timezone="America/Mexico_City", holidays=frozenset({REVOLUTION_DAY})
    )
    opened = datetime(2026, 11, 13, 17, tzinfo=MEXICO)
    due = calendar.add_business_time(opened, timedelta(hours=48))
    assert due.isoformat() == "2026-11-24T11:00:00-06:00"
    assert calendar.business_time_between(opened, due) == timedelta(hours=48)


INDIA_CALENDAR = BusinessCalendar(
    timezone="Asia/Kolkata", holidays=frozenset({GANDHI_JAYANTI, DUSSEHRA})
)
FRIDAY_EVENING_IN_INDIA = datetime(2026, 10, 16, 19, 30, tzinfo=INDIA)


def test_india_five_business_days_from_friday_evening_skip_dussehra() -> None:
    """Fri 2026-10-16 19:30 + 5 days: Mon 19 (1), Tue 20 Dussehra, Wed 21 (2), Thu 22 (3),
    Fri 23 (4), Mon 26 (5); 19:30 is after hours, so it clamps to 18:00."""
    due = INDIA_CALENDAR.add_business_days(FRIDAY_EVENING_IN_INDIA, 5)
    assert due.isoformat() == "2026-10-26T18:00:00+05:30"


def test_india_24_business_hours_from_friday_evening_skip_dussehra() -> None:
    """Fri 19:30 is after hours: start Mon 19 09:00; Mon 9 h; Tue 20 Dussehra; Wed 21 9 -> 18;
    Thu 22 +6 h -> 15:00."""
    due = INDIA_CALENDAR.add_business_time(FRIDAY_EVENING_IN_INDIA, timedelta(hours=24))
    assert due.isoformat() == "2026-10-22T15:00:00+05:30"


def test_india_gandhi_jayanti_friday_does_not_count() -> None:
    """Thu 2026-10-01 09:00 -> Mon 10-05 09:00: Thu 9 h, Fri 2 holiday, weekend -> 9 h."""
    start = datetime(2026, 10, 1, 9, tzinfo=INDIA)
    end = datetime(2026, 10, 5, 9, tzinfo=INDIA)
    assert INDIA_CALENDAR.business_time_between(start, end) == timedelta(hours=9)


def test_a_weekend_span_measures_only_the_hours_either_side() -> None:
    """Fri 2026-03-20 15:00 -> Mon 2026-03-23 11:00: Fri 15-18 (3 h) + Mon 09-11 (2 h) = 5 h."""
    calendar = BusinessCalendar(timezone="America/Mexico_City")
    start = datetime(2026, 3, 20, 15, tzinfo=MEXICO)
    end = datetime(2026, 3, 23, 11, tzinfo=MEXICO)
    assert calendar.business_time_between(start, end) == timedelta(hours=5)
    saturday, monday = datetime(2026, 3, 21, tzinfo=MEXICO), datetime(2026, 3, 23, tzinfo=MEXICO)
    assert calendar.business_time_between(saturday, monday) == timedelta(0)


MEXICO_CALENDAR = BusinessCalendar(
    timezone="America/Mexico_City", holidays=frozenset({REVOLUTION_DAY})
)


def test_five_business_days_from_wednesday_skip_the_monday_holiday() -> None:
    """Wed 2026-11-11 10:00 + 5 days: Thu 12 (1), Fri 13 (2), Mon 16 holiday, Tue 17 (3),
    Wed 18 (4), Thu 19 (5) -> the Thursday after next, same time 10:00."""
    due = MEXICO_CALENDAR.add_business_days(datetime(2026, 11, 11, 10, tzinfo=MEXICO), 5)
    assert due.isoformat() == "2026-11-19T10:00:00-06:00"


def test_business_days_from_saturday_night_clamp_to_day_end() -> None:
    """Sat 2026-11-14 20:00 + 5 days: Mon 16 holiday, Tue 17 (1) .. Fri 20 (4), Mon 23 (5);
    20:00 is after hours, so 18:00."""
    due = MEXICO_CALENDAR.add_business_days(datetime(2026, 11, 14, 20, tzinfo=MEXICO), 5)
    assert due.isoformat() == "2026-11-23T18:00:00-06:00"


def test_business_days_from_early_morning_count_from_the_last_close() -> None:
    """Tue 2026-11-10 07:30 + 1 day: before hours, so from Mon 9 18:00: the close of Tue 10."""
    due = MEXICO_CALENDAR.add_business_days(datetime(2026, 11, 10, 7, 30, tzinfo=MEXICO), 1)
    assert due.isoformat() == "2026-11-10T18:00:00-06:00"


def test_before_the_switch_business_days_from_early_morning_clamp_to_day_start() -> None:
    """The old rule: Tue 2026-11-10 07:30 + 1 day: Wed 11; 07:30 is before hours, so 09:00."""
    early = datetime(2026, 11, 10, 7, 30, tzinfo=MEXICO)
    due = MEXICO_CALENDAR.add_business_days(early, 1, from_last_working_moment=False)
    assert due.isoformat() == "2026-11-11T09:00:00-06:00"


def test_business_days_from_saturday_or_the_holiday_end_at_the_fifth_close() -> None:
    """Sat 2026-11-14 10:00 and Mon 16 10:00 (holiday) count from Fri 13 18:00: Tue 17 (1) ..
    Mon 23 (5) at 18:00, after Fri 13 17:00's Mon 23 17:00. The old rule gave Mon 23 10:00."""
    saturday = datetime(2026, 11, 14, 10, tzinfo=MEXICO)
    holiday = datetime(2026, 11, 16, 10, tzinfo=MEXICO)
    friday = datetime(2026, 11, 13, 17, tzinfo=MEXICO)
    assert MEXICO_CALENDAR.add_business_days(friday, 5).isoformat() == "2026-11-23T17:00:00-06:00"
    for later in (saturday, holiday):
        due = MEXICO_CALENDAR.add_business_days(later, 5)
        assert due.isoformat() == "2026-11-23T18:00:00-06:00"
    old = MEXICO_CALENDAR.add_business_days(saturday, 5, from_last_working_moment=False)
    assert old.isoformat() == "2026-11-23T10:00:00-06:00"


def test_zero_business_time_or_days_waits_for_the_next_working_moment() -> None:
    """Sat 2026-11-14 12:00 + 0 -> Tue 17 09:00 (Mon 16 is a holiday); a working moment stays."""
    saturday = datetime(2026, 11, 14, 12, tzinfo=MEXICO)
    assert MEXICO_CALENDAR.add_business_time(saturday, timedelta(0)).isoformat() == (
        "2026-11-17T09:00:00-06:00"
    )
    assert MEXICO_CALENDAR.add_business_days(saturday, 0).isoformat() == (
        "2026-11-17T09:00:00-06:00"
    )
    tuesday = datetime(2026, 11, 17, 12, tzinfo=UTC)  # 06:00 in Mexico City: before hours
    assert MEXICO_CALENDAR.next_working_moment(tuesday).isoformat() == "2026-11-17T09:00:00-06:00"
    working = datetime(2026, 11, 17, 16, tzinfo=UTC)  # 10:00 in Mexico City
    assert MEXICO_CALENDAR.next_working_moment(working).isoformat() == "2026-11-17T10:00:00-06:00"


def test_day_end_is_a_working_moment_and_just_after_is_not() -> None:
    day_end = datetime(2026, 11, 17, 18, tzinfo=MEXICO)
    assert MEXICO_CALENDAR.is_working_moment(day_end)
    assert not MEXICO_CALENDAR.is_working_moment(day_end + timedelta(microseconds=1))
    assert not MEXICO_CALENDAR.is_working_moment(datetime(2026, 11, 16, 12, tzinfo=MEXICO))


def test_json_round_trip_is_stable() -> None:
    """Sets are written sorted, so every worker process writes the same payload."""
    calendar = INDIA_CALENDAR
    text = calendar.model_dump_json()
    assert '"holidays":["2026-10-02","2026-10-20"]' in text
    assert BusinessCalendar.model_validate_json(text) == calendar


# Errors

NAIVE = datetime(2026, 11, 17, 10)
AWARE = datetime(2026, 11, 17, 10, tzinfo=MEXICO)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_working_moment(NAIVE),
        lambda c: c.next_working_moment(NAIVE),
        lambda c: c.add_business_time(NAIVE, timedelta(hours=1)),
        lambda c: c.add_business_days(NAIVE, 1),
        lambda c: c.business_time_between(NAIVE, AWARE),
        lambda c: c.business_time_between(AWARE, NAIVE),
    ],
)
def test_naive_datetimes_are_refused(call: Callable[[BusinessCalendar], Any]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call(MEXICO_CALENDAR)


def test_unknown_time_zone_is_named() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus_Mons'"):
        BusinessCalendar(timezone="Mars/Olympus_Mons")
    with pytest.raises(ValueError, match=re.escape("unknown time zone '../etc/passwd'")):
        BusinessCalendar(timezone="../etc/passwd")


@pytest.mark.parametrize(("opens", "closes"), [(time(18), time(9)), (time(9), time(9))])
def test_hours_must_start_before_they_end(opens: time, closes: time) -> None:
    with pytest.raises(ValueError, match="day_start must be before day_end"):
        BusinessCalendar(timezone="Asia/Kolkata", day_start=opens, day_end=closes)


@pytest.mark.parametrize(
    ("days", "problem"), [(frozenset(), "at least one weekday"), (frozenset({0, 7}), "got 7")]
)
def test_working_days_must_be_weekdays(days: frozenset[int], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        BusinessCalendar(timezone="Asia/Kolkata", working_days=days)


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="business time to add must not be negative"):
        MEXICO_CALENDAR.add_business_time(AWARE, timedelta(seconds=-1))
    with pytest.raises(ValueError, match="business days to add must not be negative"):
        MEXICO_CALENDAR.add_business_days(AWARE, -1)


def test_end_before_start_is_refused() -> None:
    with pytest.raises(ValueError, match="is before start"):
        MEXICO_CALENDAR.business_time_between(AWARE, AWARE - timedelta(seconds=1))


def test_a_calendar_without_any_working_day_fails_instead_of_looping() -> None:
    """Only Mondays work, and every Monday for over ten years is a holiday."""
    first_monday = date(2026, 11, 16)
    mondays = frozenset(first_monday + timedelta(weeks=n) for n in range(MAX_GAP_DAYS // 7 + 2))
    calendar = BusinessCalendar(
        timezone="America/Mexico_City", working_days=frozenset({0}), holidays=mondays
    )
    with pytest.raises(ValueError, match="has no working day"):
        calendar.add_business_time(AWARE, timedelta(hours=1))
    with pytest.raises(ValueError, match="has no working day"):
        calendar.add_business_days(AWARE, 1)


def test_a_repeated_fall_back_hour_never_gives_an_earlier_deadline() -> None:
    """New York falls back at 02:00 on Sun 2026-11-01: 01:10 comes again after 01:30 had passed.
    Counted from the wall time the clock had reached (02:00), not from 01:10 again."""
    calendar = BusinessCalendar(
        timezone="America/New_York",
        working_days=frozenset(range(7)),
        day_start=time(0, 0),
        day_end=time(23, 59),
    )
    new_york = ZoneInfo("America/New_York")
    first = calendar.add_business_days(datetime(2026, 11, 1, 1, 30, tzinfo=new_york), 1)
    again = calendar.add_business_days(datetime(2026, 11, 1, 1, 10, fold=1, tzinfo=new_york), 1)
    assert (first.isoformat(), again.isoformat()) == (
        "2026-11-02T01:30:00-05:00",
        "2026-11-02T02:00:00-05:00",
    )
