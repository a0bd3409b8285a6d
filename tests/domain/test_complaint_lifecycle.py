"""The escalation ladder as a pure state machine, driven by a hand-held clock."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from domain.commands import AddNote, CustomerFeedback, ProposeResolution, Reopen
from domain.complaint import Complaint
from domain.filing import open_complaint
from domain.history import ENGINE, StepKind
from domain.intake import Customer
from domain.ladder import advance, next_due_at
from domain.messages import NotificationKind
from domain.outbox import take_outbox
from domain.policy import EscalationPolicy
from domain.status import ActionNotAllowed, ComplaintStatus
from domain.view import for_customer, view_of
from harness.samples import AGENT, CUSTOMER, SEED_MATRIX, sample_intake

T0 = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def open_sample() -> Complaint:
    return open_complaint("c1", sample_intake(), SEED_MATRIX, T0)


def kinds(complaint: Complaint) -> list[tuple[StepKind, int, datetime]]:
    return [(step.kind, step.level, step.at) for step in complaint.history]


def test_opening_acknowledges_the_customer_and_tells_level_one() -> None:
    complaint = open_sample()
    sent = take_outbox(complaint)
    assert [(n.kind, n.recipient.role) for n in sent] == [
        (NotificationKind.ACKNOWLEDGEMENT, "customer"),
        (NotificationKind.ASSIGNED, "grievance_desk"),
    ]
    assert take_outbox(complaint) == []
    assert next_due_at(complaint) == T0 + 48 * H


LADDER_TO_FIRST_REALERT = [
    (StepKind.BREACHED, 1, T0 + 48 * H),
    (StepKind.ESCALATED, 2, T0 + 48 * H),
    (StepKind.BREACHED, 2, T0 + 72 * H),
    (StepKind.ESCALATED, 3, T0 + 72 * H),
    (StepKind.BREACHED, 3, T0 + 84 * H),
    (StepKind.REALERTED, 3, T0 + 88 * H),
]


def test_no_action_climbs_48_24_12_then_realerts_every_4_hours() -> None:
    complaint = open_sample()
    for hours in (48, 72, 84, 88, 92):
        advance(complaint, T0 + hours * H)
    assert kinds(complaint)[1:] == [*LADDER_TO_FIRST_REALERT, (StepKind.REALERTED, 3, T0 + 92 * H)]
    roles = [(n.kind, n.recipient.role) for n in take_outbox(complaint)[2:]]
    assert roles == [
        (NotificationKind.ASSIGNED, "head_of_customer_service"),
        (NotificationKind.ESCALATED, "customer"),
        (NotificationKind.ASSIGNED, "office_of_the_president"),
        (NotificationKind.ESCALATED, "customer"),
        (NotificationKind.BREACH_ALERT, "office_of_the_president"),
        (NotificationKind.BREACH_ALERT, "office_of_the_president"),
        (NotificationKind.BREACH_ALERT, "office_of_the_president"),
    ]
    assert view_of(complaint).breached


def test_a_late_wake_acts_at_the_exact_due_times_and_collapses_missed_realerts() -> None:
    complaint = open_sample()
    advance(complaint, T0 + 100 * H)  # nothing ran for 100 hours
    assert kinds(complaint)[1:] == LADDER_TO_FIRST_REALERT
    assert complaint.next_alert_at == T0 + 104 * H


def test_a_proposal_stops_the_clock_and_acceptance_resolves_then_closes() -> None:
    complaint = open_sample()
    ProposeResolution(by=AGENT, resolution="Free motherboard replacement").act(
        complaint, T0 + 10 * H
    )
    assert complaint.status is ComplaintStatus.AWAITING_CUSTOMER
    advance(complaint, T0 + 60 * H)  # past the original 48 h: the clock is stopped
    assert complaint.level == 1
    assert view_of(complaint).sla_paused_remaining_seconds == (38 * H).total_seconds()
    CustomerFeedback(by=CUSTOMER, decision="accept").act(complaint, T0 + 61 * H)
    assert complaint.status is ComplaintStatus.RESOLVED
    assert complaint.reopen_until == T0 + 61 * H + SEED_MATRIX.reopen_window.length
    advance(complaint, T0 + 61 * H + SEED_MATRIX.reopen_window.length)
    assert complaint.closed
    assert [n.recipient.role for n in take_outbox(complaint)] == [
        "customer",
        "grievance_desk",
        "customer",
        "customer",
    ]


def test_rejection_escalates_at_once_with_the_next_window_from_that_moment() -> None:
    complaint = open_sample()
    ProposeResolution(by=AGENT, resolution="Reset the phone").act(complaint, T0 + 5 * H)
    CustomerFeedback(by=CUSTOMER, decision="reject", reason="Reset does not help").act(
        complaint, T0 + 6 * H
    )
    assert complaint.level == 2
    assert complaint.status is ComplaintStatus.OPEN
    assert complaint.clock.deadline == T0 + 6 * H + 24 * H
    escalated = complaint.history[-1]
    assert (escalated.kind, escalated.actor) == (StepKind.ESCALATED, CUSTOMER)


def test_rejection_at_the_top_tells_the_president_again_with_a_fresh_window() -> None:
    complaint = open_sample()
    advance(complaint, T0 + 90 * H)  # L3, breached, realerting
    take_outbox(complaint)
    ProposeResolution(by=AGENT, resolution="Refund").act(complaint, T0 + 90 * H)
    CustomerFeedback(by=CUSTOMER, decision="reject", reason="Refund too small").act(
        complaint, T0 + 91 * H
    )
    assert complaint.level == 3
    assert not view_of(complaint).breached
    assert complaint.clock.deadline == T0 + 91 * H + 12 * H
    told = take_outbox(complaint)[-1]
    assert (told.kind, told.recipient.role) == (
        NotificationKind.ASSIGNED,
        "office_of_the_president",
    )


@pytest.mark.parametrize(("revision", "new_round"), [(6, False), (7, True)])
def test_the_fresh_round_at_the_top_is_a_step_of_its_own(revision: int, new_round: bool) -> None:
    """Seed 001: "Customers can expect a response within 12 hours": the President's office is
    told of the fresh round by a `new_round` step (Switch.TOP_ROUND_RECORDED); complaints opened
    before revision 7 tell it on the rejection's step, as they always did."""
    complaint = open_complaint("c1", sample_intake(), SEED_MATRIX, T0, revision=revision)
    advance(complaint, T0 + 90 * H)
    ProposeResolution(by=AGENT, resolution="Refund").act(complaint, T0 + 90 * H)
    take_outbox(complaint)
    CustomerFeedback(by=CUSTOMER, decision="reject", reason="Refund too small").act(
        complaint, T0 + 91 * H
    )
    last = complaint.history[-1]
    told = take_outbox(complaint)[-1]
    assert told.step == last.seq
    if new_round:
        assert (last.kind, last.level, last.actor) == (StepKind.NEW_ROUND, 3, CUSTOMER)
        assert last.reason == (
            "customer rejected the resolution: Refund too small; a fresh L3 window of 12h"
        )
    else:
        assert last.kind is StepKind.REJECTED


def test_silence_on_a_proposal_resolves_after_the_decision_window() -> None:
    complaint = open_sample()
    ProposeResolution(by=AGENT, resolution="Replacement unit").act(complaint, T0)
    advance(complaint, T0 + SEED_MATRIX.customer_decision_window.length)
    resolved = complaint.history[-1]
    assert (resolved.kind, resolved.actor) == (StepKind.RESOLVED, ENGINE)
    assert resolved.reason == "the customer did not answer in time"


def test_reopen_resumes_at_the_level_it_had_with_a_fresh_window() -> None:
    complaint = open_sample()
    advance(complaint, T0 + 50 * H)
    ProposeResolution(by=AGENT, resolution="Repair").act(complaint, T0 + 50 * H)
    CustomerFeedback(by=CUSTOMER, decision="accept").act(complaint, T0 + 51 * H)
    Reopen(by=CUSTOMER, reason="Broke again").act(complaint, T0 + 60 * H)
    assert (complaint.level, complaint.status) == (2, ComplaintStatus.OPEN)
    assert complaint.clock.deadline == T0 + 60 * H + 24 * H


@pytest.mark.parametrize(
    ("prepare", "act", "message"),
    [
        (
            lambda c: None,
            lambda c: CustomerFeedback(by=CUSTOMER, decision="accept").act(c, T0),
            "no resolution is awaiting",
        ),
        (
            lambda c: ProposeResolution(by=AGENT, resolution="x").act(c, T0),
            lambda c: ProposeResolution(by=AGENT, resolution="y").act(c, T0),
            "already awaiting",
        ),
        (lambda c: None, lambda c: Reopen(by=CUSTOMER, reason="why").act(c, T0), "cannot reopen"),
    ],
)
def test_actions_the_state_does_not_allow_say_why(
    prepare: Callable[[Complaint], None], act: Callable[[Complaint], None], message: str
) -> None:
    complaint = open_sample()
    prepare(complaint)
    with pytest.raises(ActionNotAllowed, match=message):
        act(complaint)


def test_a_closed_complaint_takes_no_more_notes() -> None:
    complaint = open_sample()
    ProposeResolution(by=AGENT, resolution="Repair").act(complaint, T0)
    CustomerFeedback(by=CUSTOMER, decision="accept").act(complaint, T0 + H)
    advance(complaint, T0 + H + SEED_MATRIX.reopen_window.length)
    with pytest.raises(ActionNotAllowed, match="the complaint is closed"):
        AddNote(by=AGENT, text="too late").act(complaint, T0 + 1000 * H)


def test_a_customer_needs_an_email_or_a_phone() -> None:
    with pytest.raises(ValidationError, match="give an email or a phone number"):
        Customer(name="Asha")
    assert Customer(name="Asha", phone="+52 55 1234 5678").phone == "+525512345678"


def test_levels_must_be_numbered_in_order() -> None:
    levels = (SEED_MATRIX.levels[1], SEED_MATRIX.levels[0])
    with pytest.raises(ValidationError, match="numbered 1, 2, 3"):
        EscalationPolicy.model_validate({**SEED_MATRIX.model_dump(), "levels": levels})


def test_the_proposal_notification_carries_its_own_text() -> None:
    complaint = open_sample()
    take_outbox(complaint)
    ProposeResolution(by=AGENT, resolution="Free repair").act(complaint, T0)
    CustomerFeedback(by=CUSTOMER, decision="reject", reason="Not enough").act(
        complaint, T0 + H
    )  # before anything was sent
    proposal = take_outbox(complaint)[0]
    assert (proposal.kind, proposal.resolution) == (
        NotificationKind.RESOLUTION_PROPOSED,
        "Free repair",
    )


def test_a_resolved_complaint_is_no_longer_breached() -> None:
    complaint = open_sample()
    advance(complaint, T0 + 90 * H)
    assert view_of(complaint).breached
    ProposeResolution(by=AGENT, resolution="Refund").act(complaint, T0 + 90 * H)
    CustomerFeedback(by=CUSTOMER, decision="accept").act(complaint, T0 + 91 * H)
    assert not view_of(complaint).breached
    assert next_due_at(complaint) == complaint.reopen_until


def test_staff_notes_are_internal_unless_said_and_older_complaints_keep_showing_them() -> None:
    complaint = open_sample()
    AddNote(by=AGENT, text="angry").act(complaint, T0)
    AddNote(by=AGENT, text="label sent", internal=False).act(complaint, T0)
    AddNote(by=CUSTOMER, text="thanks", internal=True).act(complaint, T0)  # a customer's: public
    shown = [s.text for s in for_customer(view_of(complaint)).history if s.text]
    assert shown == ["label sent", "thanks"]
    older = open_complaint("c2", sample_intake(), SEED_MATRIX, T0, revision=4)
    AddNote(by=AGENT, text="angry").act(older, T0)
    assert [s.text for s in for_customer(view_of(older)).history if s.text] == ["angry"]
