"""SLA pauses and warnings in the pure state machine, in elapsed and in business time."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.calendar import BusinessCalendar
from domain.commands import CustomerFeedback, Pause, ProposeResolution, Resume
from domain.complaint import Complaint
from domain.filing import open_complaint
from domain.history import StepKind
from domain.ladder import advance, next_due_at
from domain.messages import NotificationKind
from domain.outbox import take_outbox
from domain.status import ActionNotAllowed, ComplaintStatus
from domain.view import view_of
from harness.samples import AGENT, CUSTOMER, SEED_MATRIX, sample_intake, with_policy

T0 = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
MX = ZoneInfo("America/Mexico_City")
MX_CALENDAR = BusinessCalendar(
    timezone="America/Mexico_City",
    day_start=time(9),
    day_end=time(18),
    holidays=frozenset({date(2026, 11, 16)}),  # Revolution Day, observed on a Monday
)


def steps(complaint: Complaint, kind: StepKind) -> list[datetime]:
    return [step.at for step in complaint.history if step.kind is kind]


def test_a_pause_stops_the_clock_and_resume_keeps_exactly_the_time_left() -> None:
    complaint = open_complaint("c1", sample_intake(), SEED_MATRIX, T0)
    Pause(by=AGENT, reason="asked for the invoice").act(complaint, T0 + 10 * H)
    assert next_due_at(complaint) is None
    advance(complaint, T0 + 100 * H)
    assert (complaint.level, complaint.status) == (1, ComplaintStatus.PAUSED)
    Resume(by=AGENT, reason="invoice received").act(complaint, T0 + 100 * H)
    assert complaint.clock.deadline == T0 + 100 * H + 38 * H
    paused, resumed = complaint.history[-2:]
    assert (paused.kind, paused.actor, paused.reason) == (
        StepKind.PAUSED,
        AGENT,
        "asked for the invoice",
    )
    assert (resumed.kind, resumed.at, resumed.reason) == (
        StepKind.RESUMED,
        T0 + 100 * H,
        "invoice received",
    )


def test_repeated_pauses_add_up() -> None:
    complaint = open_complaint("c1", sample_intake(), SEED_MATRIX, T0)
    for start in (10, 30, 50):  # run 10 h, pause 10 h, three times: 30 h used by 60 h
        Pause(by=AGENT, reason="waiting").act(complaint, T0 + start * H)
        Resume(by=AGENT).act(complaint, T0 + (start + 10) * H)
    assert complaint.clock.deadline == T0 + 60 * H + 18 * H


def test_pause_and_resume_are_refused_in_the_wrong_state() -> None:
    complaint = open_complaint("c1", sample_intake(), SEED_MATRIX, T0)
    with pytest.raises(ActionNotAllowed, match="cannot resume: the clock is running"):
        Resume(by=AGENT).act(complaint, T0)
    Pause(by=AGENT, reason="waiting").act(complaint, T0)
    with pytest.raises(ActionNotAllowed, match="paused, waiting on the customer; resume it first"):
        Pause(by=AGENT, reason="again").act(complaint, T0)


def test_a_proposal_can_follow_a_pause_and_a_rejection_still_escalates() -> None:
    complaint = open_complaint("c1", sample_intake(), SEED_MATRIX, T0)
    Pause(by=AGENT, reason="waiting for photos").act(complaint, T0 + H)
    ProposeResolution(by=AGENT, resolution="Replacement").act(complaint, T0 + 2 * H)
    CustomerFeedback(by=CUSTOMER, decision="reject", reason="Want a refund").act(
        complaint, T0 + 3 * H
    )
    assert (complaint.level, complaint.clock.deadline) == (2, T0 + 3 * H + 24 * H)


def test_warnings_fire_at_their_share_of_the_window_and_pauses_move_them() -> None:
    policy = with_policy(warnings=["50%", "75%"])
    complaint = open_complaint("c1", sample_intake(), policy, T0)
    advance(complaint, T0 + 24 * H)  # 50 % of 48 h
    Pause(by=AGENT, reason="waiting").act(
        complaint, T0 + 30 * H
    )  # 30 h used; 75 % (36 h) not reached
    advance(complaint, T0 + 200 * H)
    assert steps(complaint, StepKind.WARNED) == [T0 + 24 * H]
    Resume(by=AGENT).act(complaint, T0 + 200 * H)
    advance(complaint, T0 + 220 * H)  # 75 % 6 h after resuming; breach 18 h after
    assert steps(complaint, StepKind.WARNED) == [T0 + 24 * H, T0 + 206 * H]
    assert steps(complaint, StepKind.BREACHED) == [T0 + 218 * H]
    owed = [n for n in take_outbox(complaint) if n.kind is NotificationKind.SLA_WARNING]
    assert [(n.recipient.role, n.reason) for n in owed] == [
        ("grievance_desk", "50% of the L1 window of 48h has passed"),
        ("grievance_desk", "75% of the L1 window of 48h has passed"),
    ]


def test_an_early_escalation_makes_the_old_levels_warnings_moot() -> None:
    complaint = open_complaint("c1", sample_intake(), with_policy(warnings=["75%"]), T0)
    ProposeResolution(by=AGENT, resolution="Reset").act(complaint, T0 + H)
    CustomerFeedback(by=CUSTOMER, decision="reject", reason="No").act(
        complaint, T0 + 2 * H
    )  # to L2 long before L1's 36 h mark
    advance(complaint, T0 + 2 * H + 18 * H)  # 75 % of L2's 24 h
    warned = [(s.level, s.at) for s in complaint.history if s.kind is StepKind.WARNED]
    assert warned == [(2, T0 + 20 * H)]


def test_business_hours_window_with_a_holiday_and_a_pause_over_a_weekend() -> None:
    """48 business hours from Friday 17:00 in Mexico City, Monday 16 Nov a holiday.

    Without a pause: Fri 1 h, Tue-Fri 36 h (37), Mon 23rd 9 h (46), Tue 24th 2 h: 11:00.
    Paused from Fri 17:30 to Tue 17th 10:00: that takes Friday's last half hour and Tuesday's
    first hour, 1.5 working hours (the weekend and the holiday cost nothing): 12:30.
    """
    policy = with_policy(
        levels=[{**SEED_MATRIX.level(1).model_dump(), "resolution_window": "48 business hours"}],
        calendars={"MX": {"timezone": "America/Mexico_City"}},
    )
    opened = datetime(2026, 11, 13, 17, 0, tzinfo=MX)
    complaint = open_complaint("c1", sample_intake(), policy, opened, MX_CALENDAR)
    assert complaint.clock.deadline == datetime(2026, 11, 24, 11, 0, tzinfo=MX)
    Pause(by=AGENT, reason="asked for photos").act(
        complaint, datetime(2026, 11, 13, 17, 30, tzinfo=MX)
    )
    Resume(by=AGENT, reason="photos received").act(
        complaint, datetime(2026, 11, 17, 10, 0, tzinfo=MX)
    )
    assert complaint.clock.deadline == datetime(2026, 11, 24, 12, 30, tzinfo=MX)


def test_five_business_days_end_at_the_same_local_time() -> None:
    policy = with_policy(
        levels=[{**SEED_MATRIX.level(1).model_dump(), "resolution_window": "5 business days"}],
        calendars={"MX": {"timezone": "America/Mexico_City"}},
    )
    opened = datetime(2026, 11, 11, 10, 0, tzinfo=MX)  # Wednesday
    complaint = open_complaint("c1", sample_intake(), policy, opened, MX_CALENDAR)
    # Thu 12, Fri 13, (weekend, Mon 16 holiday), Tue 17, Wed 18, Thu 19 → Thu 19 Nov 10:00
    assert complaint.clock.deadline == datetime(2026, 11, 19, 10, 0, tzinfo=MX)


def test_a_promised_range_is_told_to_the_customer_and_breaches_at_its_end() -> None:
    level = {**SEED_MATRIX.level(1).model_dump(), "resolution_window": "3-5 business days"}
    policy = with_policy(levels=[level], calendars={"MX": {"timezone": "America/Mexico_City"}})
    opened = datetime(2026, 11, 11, 10, 0, tzinfo=MX)  # Wednesday; Mon 16 Nov is a holiday
    complaint = open_complaint("c1", sample_intake(), policy, opened, MX_CALENDAR)
    acknowledgement = take_outbox(complaint)[0]
    assert acknowledgement.promise == "3-5 business days"
    assert complaint.clock.deadline == datetime(2026, 11, 19, 10, 0, tzinfo=MX)
    assert view_of(complaint).policy_version == policy.version
