"""Why a complaint went higher, as the `complaints_escalations` metric labels it: each way the
domain escalates, driven through the domain itself."""

from datetime import UTC, datetime, timedelta

from domain.commands import CustomerFeedback, ProposeResolution
from domain.complaint import Complaint
from domain.filing import open_complaint
from domain.history import Actor, ActorRole
from domain.ladder import advance
from domain.repeat_contacts import RecordContact
from domain.staff_actions import Escalate
from harness.samples import AGENT, CUSTOMER, SEED_MATRIX, sample_intake
from tests.domain.test_playbooks import CENTRE, flagged
from workflows.metrics import EscalationReason, escalation_reason

T0 = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
SUPERVISOR = Actor(role=ActorRole.SUPERVISOR, name="Ana")


def escalations(complaint: Complaint) -> list[tuple[int, EscalationReason]]:
    return [
        (step.level, reason)
        for step in complaint.history
        if (reason := escalation_reason(step)) is not None
    ]


def test_breach_staff_and_customer_rejection_at_each_level() -> None:
    complaint = open_complaint("c1", sample_intake(), SEED_MATRIX, T0)
    advance(complaint, T0 + 48 * H)  # L1 breached: L2
    Escalate(by=SUPERVISOR, reason="Threatens to go to the regulator").act(complaint, T0 + 49 * H)
    ProposeResolution(by=AGENT, resolution="Repair").act(complaint, T0 + 50 * H)
    CustomerFeedback(by=CUSTOMER, decision="reject", reason="No").act(complaint, T0 + 51 * H)
    assert escalations(complaint) == [
        (2, EscalationReason.BREACH),
        (3, EscalationReason.STAFF),
        (3, EscalationReason.CUSTOMER_REJECTED),  # at the top: a fresh round there
    ]


def test_repeat_contacts_and_playbooks() -> None:
    complaint = open_complaint("c1", sample_intake(), SEED_MATRIX, T0)
    RecordContact(by=CUSTOMER).act(complaint, T0 + H)  # 2nd contact: specialists
    assert escalations(complaint) == [(1, EscalationReason.REPEAT_CONTACTS)]

    parts = flagged("parts_unavailable", {**CENTRE, "part": "bomba"})
    insult = flagged("staff_insult")
    assert (1, EscalationReason.PLAYBOOK) in escalations(parts)
    assert escalations(insult) == [(1, EscalationReason.PLAYBOOK)]
