"""The moments a complaint acts on its own, by name."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Timer(StrEnum):
    SUPERVISOR_GIVE_UP = "supervisor_give_up"
    """Nobody took the customer's call for a supervisor in time."""
    HOLD_REMINDER = "hold_reminder"
    """The agent refreshes the customer's hold."""
    ANSWER_DUE = "answer_due"
    """A playbook's asked party (service centre, retailer) had to answer by now."""
    PROMISE_DUE = "promise_due"
    """What a playbook promised the customer had to happen by now."""
    FOLLOW_UP = "follow_up"
    """A playbook's follow-up (day 13 of a parts wait, a weekly check)."""
    CASE_EVENT = "case_event"
    """An event a playbook scheduled for itself."""
    WARNING = "warning"
    """A share of the level's window has passed (policy `warnings`)."""
    BREACH = "breach"
    """The level's window ran out."""
    REALERT = "realert"
    """The last level is still unresolved after its deadline."""
    DECISION_REMINDER = "decision_reminder"
    """The customer has not answered a proposed resolution yet."""
    DECISION_DUE = "decision_due"
    """The customer did not answer in time: the resolution stands."""
    REOPEN_ENDS = "reopen_ends"
    """A resolved complaint can no longer be reopened: it closes."""


@dataclass(frozen=True)
class Due:
    """A timer and when it fires; `case` names the playbook a case timer belongs to."""

    timer: Timer
    at: datetime
    case: str | None = None
