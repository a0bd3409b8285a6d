"""The escalation ladder as a pure state machine, driven by a hand-held clock."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from domain.complaint import Complaint
from domain.complaint_state import ActionNotAllowed, ComplaintStatus
from domain.history import ENGINE, StepKind
from domain.intake import Customer
from domain.messages import NotificationKind
from domain.policy import EscalationPolicy
from harness.samples import AGENT, CUSTOMER, SEED_MATRIX, sample_intake

T0 = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def open_complaint() -> Complaint:
    return Complaint.open("c1", sample_intake(), SEED_MATRIX, T0)


def kinds(complaint: Complaint) -> list[tuple[StepKind, int, datetime]]:
    return [(step.kind, step.level, step.at) for step in complaint.history]


def test_opening_acknowledges_the_customer_and_tells_level_one() -> None:
    complaint = open_complaint()
    sent = complaint.take_outbox()
    assert [(n.kind, n.recipient.role) for n in sent] == [
        (NotificationKind.ACKNOWLEDGEMENT, "customer"),
        (NotificationKind.ASSIGNED, "grievance_desk"),
    ]
    assert complaint.take_outbox() == []
    assert complaint.next_due_at() == T0 + 48 * H


LADDER_TO_FIRST_REALERT = [
    (StepKind.BREACHED, 1, T0 + 48 * H),
    (StepKind.ESCALATED, 2, T0 + 48 * H),
    (StepKind.BREACHED, 2, T0 + 72 * H),
    (StepKind.ESCALATED, 3, T0 + 72 * H),
    (StepKind.BREACHED, 3, T0 + 84 * H),
    (StepKind.REALERTED, 3, T0 + 88 * H),
]


def test_no_action_climbs_48_24_12_then_realerts_every_4_hours() -> None:
    complaint = open_complaint()
    for hours in (48, 72, 84, 88, 92):
        complaint.advance(T0 + hours * H)
    assert kinds(complaint)[1:] == [*LADDER_TO_FIRST_REALERT, (StepKind.REALERTED, 3, T0 + 92 * H)]
    roles = [(n.kind, n.recipient.role) for n in complaint.take_outbox()[2:]]
    assert roles == [
        (NotificationKind.ASSIGNED, "head_of_customer_service"),
        (NotificationKind.ASSIGNED, "office_of_the_president"),
        (NotificationKind.BREACH_ALERT, "office_of_the_president"),
        (NotificationKind.BREACH_ALERT, "office_of_the_president"),
        (NotificationKind.BREACH_ALERT, "office_of_the_president"),
    ]
    assert complaint.view().breached


def test_a_late_wake_acts_at_the_exact_due_times_and_collapses_missed_realerts() -> None:
    complaint = open_complaint()
    complaint.advance(T0 + 100 * H)  # nothing ran for 100 hours
    assert kinds(complaint)[1:] == LADDER_TO_FIRST_REALERT
    assert complaint.next_alert_at == T0 + 104 * H


def test_a_proposal_stops_the_clock_and_acceptance_resolves_then_closes() -> None:
    complaint = open_complaint()
    complaint.propose_resolution(T0 + 10 * H, AGENT, "Free motherboard replacement")
    assert complaint.status is ComplaintStatus.AWAITING_CUSTOMER
    complaint.advance(T0 + 60 * H)  # past the original 48 h: the clock is stopped
    assert complaint.level == 1
    assert complaint.view().sla_paused_remaining_seconds == (38 * H).total_seconds()
    complaint.accept(T0 + 61 * H, CUSTOMER)
    assert complaint.status is ComplaintStatus.RESOLVED
    assert complaint.reopen_until == T0 + 61 * H + SEED_MATRIX.reopen_window.length
    complaint.advance(T0 + 61 * H + SEED_MATRIX.reopen_window.length)
    assert complaint.closed
    assert [n.recipient.role for n in complaint.take_outbox()] == [
        "customer",
        "grievance_desk",
        "customer",
        "customer",
    ]


def test_rejection_escalates_at_once_with_the_next_window_from_that_moment() -> None:
    complaint = open_complaint()
    complaint.propose_resolution(T0 + 5 * H, AGENT, "Reset the phone")
    complaint.reject(T0 + 6 * H, CUSTOMER, "Reset does not help")
    assert complaint.level == 2
    assert complaint.status is ComplaintStatus.OPEN
    assert complaint.clock.deadline == T0 + 6 * H + 24 * H
    escalated = complaint.history[-1]
    assert (escalated.kind, escalated.actor) == (StepKind.ESCALATED, CUSTOMER)


def test_rejection_at_the_top_tells_the_president_again_with_a_fresh_window() -> None:
    complaint = open_complaint()
    complaint.advance(T0 + 90 * H)  # L3, breached, realerting
    complaint.take_outbox()
    complaint.propose_resolution(T0 + 90 * H, AGENT, "Refund")
    complaint.reject(T0 + 91 * H, CUSTOMER, "Refund too small")
    assert complaint.level == 3
    assert not complaint.view().breached
    assert complaint.clock.deadline == T0 + 91 * H + 12 * H
    told = complaint.take_outbox()[-1]
    assert (told.kind, told.recipient.role) == (
        NotificationKind.ASSIGNED,
        "office_of_the_president",
    )


def test_silence_on_a_proposal_resolves_after_the_decision_window() -> None:
    complaint = open_complaint()
    complaint.propose_resolution(T0, AGENT, "Replacement unit")
    complaint.advance(T0 + SEED_MATRIX.customer_decision_window.length)
    resolved = complaint.history[-1]
    assert (resolved.kind, resolved.actor) == (StepKind.RESOLVED, ENGINE)
    assert resolved.reason == "the customer did not answer in time"


def test_reopen_resumes_at_the_level_it_had_with_a_fresh_window() -> None:
    complaint = open_complaint()
    complaint.advance(T0 + 50 * H)
    complaint.propose_resolution(T0 + 50 * H, AGENT, "Repair")
    complaint.accept(T0 + 51 * H, CUSTOMER)
    complaint.reopen(T0 + 60 * H, CUSTOMER, "Broke again")
    assert (complaint.level, complaint.status) == (2, ComplaintStatus.OPEN)
    assert complaint.clock.deadline == T0 + 60 * H + 24 * H


@pytest.mark.parametrize(
    ("prepare", "act", "message"),
    [
        (lambda c: None, lambda c: c.accept(T0, CUSTOMER), "no resolution is awaiting"),
        (
            lambda c: c.propose_resolution(T0, AGENT, "x"),
            lambda c: c.propose_resolution(T0, AGENT, "y"),
            "already awaiting",
        ),
        (lambda c: None, lambda c: c.reopen(T0, CUSTOMER, "why"), "cannot reopen"),
    ],
)
def test_actions_the_state_does_not_allow_say_why(
    prepare: Callable[[Complaint], None], act: Callable[[Complaint], None], message: str
) -> None:
    complaint = open_complaint()
    prepare(complaint)
    with pytest.raises(ActionNotAllowed, match=message):
        act(complaint)


def test_a_closed_complaint_takes_no_more_notes() -> None:
    complaint = open_complaint()
    complaint.propose_resolution(T0, AGENT, "Repair")
    complaint.accept(T0 + H, CUSTOMER)
    complaint.advance(T0 + H + SEED_MATRIX.reopen_window.length)
    with pytest.raises(ActionNotAllowed, match="the complaint is closed"):
        complaint.add_note(T0 + 1000 * H, AGENT, "too late")


def test_a_customer_needs_an_email_or_a_phone() -> None:
    with pytest.raises(ValidationError, match="give an email or a phone number"):
        Customer(name="Asha")
    assert Customer(name="Asha", phone="+52 55 1234 5678").phone == "+525512345678"


def test_levels_must_be_numbered_in_order() -> None:
    levels = (SEED_MATRIX.levels[1], SEED_MATRIX.levels[0])
    with pytest.raises(ValidationError, match="numbered 1, 2, 3"):
        EscalationPolicy.model_validate({**SEED_MATRIX.model_dump(), "levels": levels})


def test_the_proposal_notification_carries_its_own_text() -> None:
    complaint = open_complaint()
    complaint.take_outbox()
    complaint.propose_resolution(T0, AGENT, "Free repair")
    complaint.reject(T0 + H, CUSTOMER, "Not enough")  # before anything was sent
    proposal = complaint.take_outbox()[0]
    assert (proposal.kind, proposal.resolution) == (
        NotificationKind.RESOLUTION_PROPOSED,
        "Free repair",
    )


def test_a_resolved_complaint_is_no_longer_breached() -> None:
    complaint = open_complaint()
    complaint.advance(T0 + 90 * H)
    assert complaint.view().breached
    complaint.propose_resolution(T0 + 90 * H, AGENT, "Refund")
    complaint.accept(T0 + 91 * H, CUSTOMER)
    assert not complaint.view().breached
    assert complaint.next_due_at() == complaint.reopen_until
