"""A later filing never gets an earlier deadline (issue 16, item 2).

Business days from outside working hours count from the close of the last working period
(`Switch.BUSINESS_DAYS_FROM_WORKING_TIME`); complaints opened before keep the old rule.
"""

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.calendars import business_calendar_for
from domain.behaviour import CURRENT, Switch, switched_on
from domain.calendar import BusinessCalendar
from domain.durations import Duration
from domain.filing import open_complaint
from domain.policy import EscalationPolicy
from domain.policy_files import load_policy_set
from harness.samples import POLICY_DIR, sample_intake
from tests.support.cli import simulate

MEXICO = ZoneInfo("America/Mexico_City")
POLICIES = load_policy_set(POLICY_DIR)
SEED_003 = (
    "Notificar al cliente que procederemos a escalar el caso con un departamento de "
    "resoluciones, solicitando un tiempo de espera de 5 días hábiles."
)
BEFORE_THE_SWITCH = max(
    revision
    for revision in range(CURRENT.revision)
    if Switch.BUSINESS_DAYS_FROM_WORKING_TIME not in switched_on(revision)
)


def with_first_window(policy: EscalationPolicy, window: str) -> EscalationPolicy:
    """`policy` whose first level must resolve within `window`."""
    first = policy.levels[0].model_copy(
        update={"resolution_window": Duration.model_validate(window)}
    )
    return policy.model_copy(update={"levels": (first, *policy.levels[1:])})


def deadline(
    policy: EscalationPolicy,
    calendar: BusinessCalendar,
    filed: datetime,
    revision: int = CURRENT.revision,
) -> datetime:
    complaint = open_complaint("c1", sample_intake(), policy, filed, calendar, revision=revision)
    assert complaint.clock.deadline is not None
    return complaint.clock.deadline


def test_the_seed_example_from_friday_evening_saturday_and_the_holiday() -> None:
    """Seed 003: "solicitando un tiempo de espera de 5 días hábiles." Filed Fri 13 Nov 17:00 in
    Mexico City: Mon 23 Nov 17:00 (Mon 16 is Revolution Day). Filed later, on Saturday 10:00 or
    on the holiday itself, it counts from Friday's close: the close of the fifth working day,
    Mon 23 Nov 18:00, never earlier."""
    assert "5 días hábiles" in SEED_003
    policy = with_first_window(POLICIES.for_brand("delonghi-mx"), "5 business days")
    calendar = business_calendar_for(policy, "MX", date(2026, 11, 13))
    assert calendar is not None
    filings = [
        datetime(2026, 11, day, hour, tzinfo=MEXICO) for day, hour in [(13, 17), (14, 10), (16, 10)]
    ]
    friday, saturday, holiday = (deadline(policy, calendar, filed) for filed in filings)
    assert friday.isoformat() == "2026-11-23T17:00:00-06:00"
    assert saturday.isoformat() == holiday.isoformat() == "2026-11-23T18:00:00-06:00"
    # 5 business days are 45 working hours, whenever the customer called.
    for filed, due in zip(filings, (friday, saturday, holiday), strict=True):
        assert calendar.business_time_between(filed, due) == timedelta(hours=45)


def test_complaints_opened_before_the_switch_keep_the_old_rule() -> None:
    """Seed 003: "solicitando un tiempo de espera de 5 días hábiles." A complaint already
    running keeps the deadline it was given: Saturday 10:00 -> Mon 23 Nov 10:00."""
    policy = with_first_window(POLICIES.for_brand("delonghi-mx"), "5 business days")
    calendar = business_calendar_for(policy, "MX", date(2026, 11, 13))
    assert calendar is not None
    saturday = datetime(2026, 11, 14, 10, tzinfo=MEXICO)
    old = deadline(policy, calendar, saturday, revision=BEFORE_THE_SWITCH)
    assert old.isoformat() == "2026-11-23T10:00:00-06:00"
    assert deadline(policy, calendar, saturday).isoformat() == "2026-11-23T18:00:00-06:00"


@pytest.mark.parametrize(
    ("rejected", "breach"),
    [
        ("2026-11-13T17:00:00-06:00", "2026-11-23T17:00:00-06:00"),
        ("2026-11-14T10:00:00-06:00", "2026-11-23T18:00:00-06:00"),
        ("2026-11-16T10:00:00-06:00", "2026-11-23T18:00:00-06:00"),
    ],
)
def test_a_rejection_on_saturday_gives_the_supervisor_no_less_time_than_on_friday(
    capsys: pytest.CaptureFixture[str], rejected: str, breach: str
) -> None:
    """Seed 003: "solicitando un tiempo de espera de 5 días hábiles." De'Longhi's supervisor
    level has 5 business days; a rejection escalates to it at once, whenever it comes."""
    code = simulate(
        *("--brand", "delonghi-mx", "--country", "MX", "--opened", "2026-11-13T09:00:00-06:00"),
        *("--event", "2026-11-13T12:00:00-06:00 propose replacement unit"),
        *("--event", f"{rejected} reject wants a refund"),
        "--json",
    )
    assert code == 0
    rows = [(r["at"], r["level"], r["event"]) for r in json.loads(capsys.readouterr().out)]
    assert (rejected, "L2", "escalated") in rows
    assert (breach, "L2", "breached") in rows


# Properties: random filings under several policies and calendars.

WINDOWS = [
    "5 business days",
    "1 business day",
    "3-5 business days",
    "48 business hours",
    "90 business minutes",
]
CALENDARS = {
    "MX": business_calendar_for(POLICIES.for_brand("delonghi-mx"), "MX", date(2026, 1, 1)),
    "IN": business_calendar_for(POLICIES.for_brand("default"), "IN", date(2026, 1, 1)),
    "US, with DST": BusinessCalendar(
        timezone="America/New_York", day_start=time(8, 30), day_end=time(17, 30)
    ),
    "Sunday to Thursday": BusinessCalendar(
        timezone="Asia/Riyadh", working_days=frozenset({6, 0, 1, 2, 3})
    ),
    "round the clock, DST inside the hours": BusinessCalendar(
        timezone="America/Tijuana",
        working_days=frozenset(range(7)),
        day_start=time(0, 0),
        day_end=time(23, 59),
    ),
}
SPAN = int(timedelta(days=2 * 365).total_seconds())
filings = st.integers(0, SPAN * 10**6).map(
    lambda micro: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(microseconds=micro)
)


@settings(max_examples=300, deadline=None)
@given(
    brand=st.sampled_from(POLICIES.brands),
    window=st.sampled_from(WINDOWS),
    country=st.sampled_from(sorted(CALENDARS)),
    one=filings,
    other=filings,
    within=st.integers(0, 4 * 24 * 3600),
)
def test_a_later_filing_never_gets_an_earlier_deadline(
    brand: str, window: str, country: str, one: datetime, other: datetime, within: int
) -> None:
    """Seed 003: "solicitando un tiempo de espera de 5 días hábiles." Two customers calling about
    the same thing: the one who called later never has to be answered sooner."""
    policy = with_first_window(POLICIES.for_brand(brand), window)
    calendar = CALENDARS[country]
    assert calendar is not None
    # Half the pairs far apart, half within a few days: weekends, evenings, holidays.
    earlier, later = sorted((one, other if within % 2 else one + timedelta(seconds=within)))
    assert deadline(policy, calendar, earlier) <= deadline(policy, calendar, later)
