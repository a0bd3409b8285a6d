"""Seed 004's reviews and the decision reminder: the team leader approves replies, the third level
assesses, and an unanswered resolution is reminded before it stands."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.assessment import Assessment
from domain.commands import (
    AddNote,
    ApproveReply,
    Assess,
    CustomerFeedback,
    Escalate,
    Pause,
    ProposeResolution,
    RecordContact,
    RefuseReply,
)
from domain.complaint import Complaint
from domain.filing import open_complaint
from domain.history import Actor, ActorRole, StepKind
from domain.ladder import advance
from domain.messages import NotificationKind
from domain.outbox import take_outbox
from domain.playbooks import HandlingTier
from domain.status import ActionNotAllowed, ComplaintStatus
from domain.view import view_of
from harness.samples import AGENT, CUSTOMER, SEED_MATRIX, sample_intake, with_policy

T0 = datetime(2026, 11, 23, 10, tzinfo=UTC)
H = timedelta(hours=1)
LEADER = Actor(role=ActorRole.SUPERVISOR, name="Marta")


def with_contacts(contacts: int, revision: int = 3) -> Complaint:
    complaint = open_complaint("c-1", sample_intake(), SEED_MATRIX, T0, revision=revision)
    for _ in range(contacts - 1):
        RecordContact(by=CUSTOMER).act(complaint, T0)
    take_outbox(complaint)
    return complaint


def sent(complaint: Complaint) -> list[tuple[NotificationKind, str]]:
    return [(n.kind, n.recipient.role) for n in take_outbox(complaint)]


def test_at_the_team_leader_tier_a_reply_waits_for_approval_and_the_clock_runs() -> None:
    complaint = with_contacts(3)
    assert complaint.handling is HandlingTier.TEAM_LEADER
    ProposeResolution(by=AGENT, resolution="Replace the phone").act(complaint, T0 + H)
    assert complaint.status is ComplaintStatus.AWAITING_APPROVAL
    assert sent(complaint) == [(NotificationKind.APPROVAL_REQUESTED, "team_leader")]
    assert view_of(complaint).deadline == T0 + 48 * H  # still running

    ApproveReply(by=LEADER).act(complaint, T0 + 2 * H)
    assert complaint.status is ComplaintStatus.AWAITING_CUSTOMER
    assert sent(complaint) == [(NotificationKind.RESOLUTION_PROPOSED, "customer")]
    assert [s.kind for s in complaint.history[-2:]] == [
        StepKind.RESOLUTION_PROPOSED,
        StepKind.REPLY_APPROVED,
    ]


def test_a_refused_reply_goes_back_to_the_handler_with_the_reason() -> None:
    complaint = with_contacts(3)
    ProposeResolution(by=AGENT, resolution="A voucher").act(complaint, T0 + H)
    take_outbox(complaint)
    RefuseReply(by=LEADER, reason="Offer a replacement").act(complaint, T0 + 2 * H)
    assert (complaint.status, complaint.pending_resolution) == (ComplaintStatus.OPEN, None)
    refused = take_outbox(complaint)
    assert [(n.kind, n.recipient.role, n.reason, n.text) for n in refused] == [
        (
            NotificationKind.REPLY_REFUSED,
            "complaint_specialists",
            "Offer a replacement",
            "A voucher",
        )
    ]
    with pytest.raises(ActionNotAllowed, match="no reply awaits the team leader's approval"):
        ApproveReply(by=LEADER).act(complaint, T0 + 3 * H)


def test_a_breach_while_awaiting_approval_still_escalates() -> None:
    complaint = with_contacts(3)
    ProposeResolution(by=AGENT, resolution="Replace the phone").act(complaint, T0 + H)
    advance(complaint, T0 + 48 * H)
    assert (complaint.level, complaint.status) == (2, ComplaintStatus.AWAITING_APPROVAL)


@pytest.mark.parametrize("contacts", [1, 2, 4])
def test_other_tiers_reply_directly(contacts: int) -> None:
    complaint = with_contacts(contacts)
    ProposeResolution(by=AGENT, resolution="Replace the phone").act(complaint, T0 + H)
    assert complaint.status is ComplaintStatus.AWAITING_CUSTOMER


def test_complaints_started_before_revision_3_keep_their_behaviour() -> None:
    complaint = with_contacts(3, revision=2)
    ProposeResolution(by=AGENT, resolution="Replace the phone").act(complaint, T0 + H)
    assert complaint.status is ComplaintStatus.AWAITING_CUSTOMER
    assert complaint.decision_reminder_at is None


def test_an_unanswered_resolution_is_reminded_to_customer_and_owner_before_it_stands() -> None:
    complaint = with_contacts(1)
    ProposeResolution(by=AGENT, resolution="Replace the phone").act(complaint, T0)
    take_outbox(complaint)
    advance(complaint, T0 + timedelta(days=10))
    assert sent(complaint) == [
        (NotificationKind.DECISION_REMINDER, "customer"),
        (NotificationKind.DECISION_REMINDER, "grievance_desk"),
    ]
    advance(complaint, T0 + timedelta(days=14))
    assert complaint.status is ComplaintStatus.RESOLVED
    kinds = [s.kind for s in complaint.history]
    assert kinds.index(StepKind.DECISION_REMINDED) < kinds.index(StepKind.RESOLVED)


def test_an_answer_cancels_the_reminder() -> None:
    complaint = with_contacts(1)
    ProposeResolution(by=AGENT, resolution="Replace the phone").act(complaint, T0)
    CustomerFeedback(by=CUSTOMER, decision="accept").act(complaint, T0 + H)
    advance(complaint, T0 + timedelta(days=10))
    assert StepKind.DECISION_REMINDED not in [s.kind for s in complaint.history]


def test_a_reminder_as_long_as_the_window_is_refused_at_load() -> None:
    with pytest.raises(ValueError, match="must be shorter than customer_decision_window"):
        with_policy(decision_reminder_after="14 days")


def test_the_third_level_assesses_and_responsibility_opens_the_accountability_record() -> None:
    complaint = with_contacts(1)
    AddNote(by=AGENT, text="told the customer to wait").act(complaint, T0)
    with pytest.raises(ActionNotAllowed, match="the frontline handles this complaint"):
        Assess(
            by=LEADER,
            assessment=Assessment(
                company_responsible=True, first_handling_appropriate=False, appeal_reasonable=True
            ),
        ).act(complaint, T0)
    for _ in range(3):
        RecordContact(by=CUSTOMER).act(complaint, T0 + H)
    take_outbox(complaint)
    manager = Actor(role=ActorRole.SUPERVISOR, name="Sofía")
    Assess(
        by=manager,
        assessment=Assessment(
            company_responsible=True,
            first_handling_appropriate=False,
            appeal_reasonable=True,
            notes="kept waiting",
        ),
    ).act(complaint, T0 + 2 * H)
    record = complaint.accountability
    assert record is not None
    assert (record.assessed_by, record.handlers, record.first_handling_appropriate) == (
        "Sofía",
        ["Priya"],
        False,
    )
    assert sent(complaint) == [(NotificationKind.ACCOUNTABILITY, "accountability")]
    assessed = next(s for s in complaint.history if s.kind is StepKind.ASSESSED)
    assert assessed.reason == (
        "company responsible: yes; first handling appropriate: no; appeal reasonable: yes"
    )


def test_no_accountability_record_when_the_company_is_not_responsible() -> None:
    complaint = with_contacts(4)
    Assess(
        by=LEADER,
        assessment=Assessment(
            company_responsible=False, first_handling_appropriate=True, appeal_reasonable=False
        ),
    ).act(complaint, T0)
    assert complaint.accountability is None and complaint.assessment is not None
    assert sent(complaint) == []


def test_a_supervisor_escalates_by_hand_with_a_reason_even_from_a_pause() -> None:
    complaint = with_contacts(1)
    Pause(by=AGENT, reason="asked for the invoice").act(complaint, T0)
    Escalate(by=LEADER, reason="Profeco threat").act(complaint, T0 + H)
    assert (complaint.level, complaint.status) == (2, ComplaintStatus.OPEN)
    assert view_of(complaint).deadline == T0 + H + 24 * H
    step = complaint.history[-1]
    assert (step.kind, step.reason) == (StepKind.ESCALATED, "escalated by Marta: Profeco threat")
    Escalate(by=LEADER, reason="still").act(complaint, T0 + 2 * H)
    with pytest.raises(ActionNotAllowed, match="Office of the President is the last level"):
        Escalate(by=LEADER, reason="more").act(complaint, T0 + 3 * H)
