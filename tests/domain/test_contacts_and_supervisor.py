"""Repeat contacts (seed 004) and the supervisor call (seed 003) in the pure state machine."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.commands import (
    CustomerFeedback,
    ProposeResolution,
    RecordContact,
    RequestSupervisor,
    SupervisorJoined,
)
from domain.complaint import Complaint
from domain.filing import open_complaint
from domain.history import StepKind
from domain.ladder import advance, next_due_at
from domain.messages import NotificationKind
from domain.outbox import take_outbox
from domain.playbooks import HandlingTier
from domain.policy import EscalationPolicy
from domain.status import ActionNotAllowed
from harness.samples import AGENT, CUSTOMER, SEED_MATRIX, sample_intake, with_policy

T0 = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
H = timedelta(hours=1)


def opened(policy: EscalationPolicy = SEED_MATRIX) -> Complaint:
    complaint = open_complaint("c1", sample_intake(), policy, T0)
    take_outbox(complaint)
    return complaint


def told(complaint: Complaint) -> list[tuple[NotificationKind, str, str | None]]:
    return [(n.kind, n.recipient.role, n.recipient.email) for n in take_outbox(complaint)]


def test_contacts_move_the_complaint_to_specialists_team_leader_and_third_level() -> None:
    complaint = opened()
    RecordContact(by=CUSTOMER, note="called again").act(complaint, T0 + H)
    assert (complaint.contacts, complaint.handling) == (2, HandlingTier.SPECIALISTS)
    assert told(complaint) == [
        (
            NotificationKind.REPEAT_CONTACT,
            "complaint_specialists",
            "complaint-specialists@example.com",
        )
    ]
    RecordContact(by=CUSTOMER).act(complaint, T0 + 2 * H)
    assert complaint.handling is HandlingTier.TEAM_LEADER
    assert [role for _, role, _ in told(complaint)] == ["team_leader", "complaint_specialists"]
    RecordContact(by=CUSTOMER).act(complaint, T0 + 3 * H)
    RecordContact(by=CUSTOMER).act(complaint, T0 + 4 * H)  # 5th: still third level, nobody new told
    assert (complaint.contacts, complaint.handling) == (5, HandlingTier.THIRD_LEVEL)
    # ...but the third-level manager gets every change by text message (seed 004).
    assert [(kind, role) for kind, role, _ in told(complaint)] == [
        (NotificationKind.REPEAT_CONTACT, "third_level_manager"),
        (NotificationKind.STATUS_UPDATE, "third_level_manager"),
    ]
    kinds = [
        s.kind for s in complaint.history if s.kind in (StepKind.CONTACTED, StepKind.REASSIGNED)
    ]
    assert kinds.count(StepKind.CONTACTED) == 4 and kinds.count(StepKind.REASSIGNED) == 3
    assert complaint.level == 1  # who handles it is not the SLA ladder


def test_a_customers_clicks_are_not_contacts() -> None:
    """Seed 004 counts contacts: a customer's own within the policy interval count once."""
    complaint = opened()
    for minute in (1, 2, 3):  # right after filing: the filing was the contact
        RecordContact(by=CUSTOMER).act(complaint, T0 + minute * M)
    assert (complaint.contacts, complaint.handling) == (1, HandlingTier.FRONTLINE)
    assert told(complaint) == []
    steps = [s for s in complaint.history if s.kind is StepKind.CONTACTED]
    assert len(steps) == 3 and all("not counted" in (s.reason or "") for s in steps)
    RecordContact(by=CUSTOMER).act(complaint, T0 + 61 * M)
    RecordContact(by=CUSTOMER).act(complaint, T0 + 62 * M)
    assert (complaint.contacts, complaint.handling) == (2, HandlingTier.SPECIALISTS)
    RecordContact(by=AGENT, note="called the desk").act(complaint, T0 + 63 * M)  # staff: counted
    assert (complaint.contacts, complaint.handling) == (3, HandlingTier.TEAM_LEADER)


def test_the_contact_interval_is_policy_and_older_complaints_count_every_contact() -> None:
    spaced = with_policy(
        repeat_thresholds={
            "specialists": 2,
            "team_leader": 3,
            "third_level": 4,
            "customer_contacts_count_once_per": "10 minutes",
        }
    )
    complaint = opened(spaced)
    RecordContact(by=CUSTOMER).act(complaint, T0 + 11 * M)
    assert complaint.contacts == 2
    older = open_complaint("c2", sample_intake(), SEED_MATRIX, T0, revision=4)
    for minute in (1, 2):
        RecordContact(by=CUSTOMER).act(older, T0 + minute * M)
    assert older.contacts == 3


def test_the_high_frequency_variant_is_a_policy_setting() -> None:
    complaint = opened(
        with_policy(repeat_thresholds={"specialists": 3, "team_leader": 4, "third_level": 5})
    )
    RecordContact(by=AGENT).act(complaint, T0)
    assert complaint.handling is HandlingTier.FRONTLINE
    RecordContact(by=AGENT).act(complaint, T0)
    assert complaint.handling is HandlingTier.SPECIALISTS


def test_a_supervisor_request_is_urgent_and_the_agent_refreshes_the_hold_until_they_join() -> None:
    complaint = opened()
    RequestSupervisor(by=AGENT, reason="customer insists").act(complaint, T0)
    assert told(complaint) == [
        (NotificationKind.SUPERVISOR_REQUESTED, "supervisor", "supervisor@example.com")
    ]
    advance(complaint, T0 + 6 * M)
    reminders = [s.at for s in complaint.history if s.kind is StepKind.HOLD_REMINDER]
    assert reminders == [T0 + 2.5 * M, T0 + 5 * M]
    assert [role for _, role, _ in told(complaint)] == ["agent", "agent"]
    SupervisorJoined(by=AGENT).act(complaint, T0 + 6 * M)
    advance(complaint, T0 + 60 * M)
    assert [s.at for s in complaint.history if s.kind is StepKind.HOLD_REMINDER] == reminders
    assert next_due_at(complaint) == complaint.clock.deadline


def test_a_call_nobody_takes_is_given_up_and_the_supervisor_told() -> None:
    complaint = opened()
    RequestSupervisor(by=AGENT, reason="customer insists").act(complaint, T0)
    advance(complaint, T0 + 40 * M)
    reminders = [s for s in complaint.history if s.kind is StepKind.HOLD_REMINDER]
    missed = [s for s in complaint.history if s.kind is StepKind.SUPERVISOR_MISSED]
    assert len(reminders) == 11  # every 2.5 min before the 30-minute limit
    assert [s.at for s in missed] == [T0 + 30 * M]
    assert told(complaint)[-1][:2] == (NotificationKind.SUPERVISOR_MISSED, "supervisor")
    with pytest.raises(ActionNotAllowed, match="none was asked for"):
        SupervisorJoined(by=AGENT).act(complaint, T0 + 41 * M)


def test_one_supervisor_request_at_a_time_and_not_on_a_resolved_complaint() -> None:
    complaint = opened()
    RequestSupervisor(by=AGENT, reason="first").act(complaint, T0)
    with pytest.raises(ActionNotAllowed, match="was asked for at 2026-11-13T09:00:00"):
        RequestSupervisor(by=AGENT, reason="again").act(complaint, T0 + M)
    SupervisorJoined(by=AGENT).act(complaint, T0 + M)
    ProposeResolution(by=AGENT, resolution="refund").act(complaint, T0 + 2 * M)
    CustomerFeedback(by=CUSTOMER, decision="accept").act(complaint, T0 + 3 * M)
    with pytest.raises(
        ActionNotAllowed, match="cannot request supervisor: the complaint is resolved"
    ):
        RequestSupervisor(by=AGENT, reason="late").act(complaint, T0 + 4 * M)
    with pytest.raises(ActionNotAllowed, match="cannot record contact: the complaint is resolved"):
        RecordContact(by=CUSTOMER).act(complaint, T0 + 4 * M)


def test_a_role_without_a_contact_is_not_emailed() -> None:
    complaint = opened(with_policy(roles={}))
    RequestSupervisor(by=AGENT, reason="customer insists").act(complaint, T0)
    assert told(complaint) == [(NotificationKind.SUPERVISOR_REQUESTED, "supervisor", None)]
