"""Every change of a complaint is a step in its history; some steps also text the third level."""

from datetime import datetime

from domain.behaviour import Switch
from domain.cases import EscalationRecord
from domain.complaint import Complaint
from domain.history import DELIVERY_STEPS, Actor, Assignee, Step, StepKind
from domain.messages import NotificationKind
from domain.outbox import notify_role
from domain.playbooks import HandlingTier

NOT_A_CHANGE = DELIVERY_STEPS | {
    StepKind.HOLD_REMINDER,
    StepKind.REASSIGNED,  # has its own message to the new handler
    StepKind.ASSIGNED,  # the desk's own work: who holds it, not where the complaint stands
    StepKind.RELEASED,
}
"""Steps that do not send the third-level manager a status update (seed 004: every change)."""


def record(
    complaint: Complaint,
    at: datetime,
    actor: Actor,
    kind: StepKind,
    reason: str | None = None,
    text: str | None = None,
    case: str | None = None,
    escalation: EscalationRecord | None = None,
    internal: bool = False,
    assignee: Assignee | None = None,
) -> int:
    """Append a step to the history and return its number.

    At the third level (seed 004) a change also owes the manager a status text: it joins the
    outbox here, before whatever the caller then owes.
    """
    seq = len(complaint.history) + 1
    complaint.history.append(
        Step(
            seq=seq,
            at=at,
            actor=actor,
            kind=kind,
            level=complaint.level,
            reason=reason,
            text=text,
            case=case,
            record=escalation,
            internal=internal,
            assignee=assignee,
        )
    )
    if _sends_status_updates(complaint) and kind not in NOT_A_CHANGE:
        detail = reason or text
        what = kind.value.replace("_", " ") + (f": {_shortened(detail)}" if detail else "")
        notify_role(
            complaint, seq, NotificationKind.STATUS_UPDATE, HandlingTier.THIRD_LEVEL.role, what
        )
    return seq


def _sends_status_updates(complaint: Complaint) -> bool:
    return complaint.follows(Switch.STATUS_TEXTS) and complaint.handling is HandlingTier.THIRD_LEVEL


def _shortened(text: str, limit: int = 100) -> str:
    """One line of at most `limit` characters, for a text message."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
