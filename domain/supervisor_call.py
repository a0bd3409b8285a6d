"""A customer on the line asks for a supervisor (seed 003): urgent notice, hold reminders, and
the call given up when nobody takes it in time."""

from datetime import datetime

from domain.command import STAFF, SUPERVISORS, Command, Reason, RequestBody, examples
from domain.complaint import Complaint
from domain.history import ENGINE, ActorRole, StepKind
from domain.journal import record
from domain.messages import NotificationKind
from domain.outbox import notify_role
from domain.status import ACTIVE, ActionNotAllowed
from domain.timers import Due, Timer


def timers(complaint: Complaint) -> list[Due]:
    """While a supervisor is awaited: giving the call up (first on a tie), the next reminder."""
    give_up = _give_up_at(complaint)
    if give_up is None or complaint.hold_reminder_at is None:
        return []
    return [
        Due(Timer.SUPERVISOR_GIVE_UP, give_up),
        Due(Timer.HOLD_REMINDER, complaint.hold_reminder_at),
    ]


def _give_up_at(complaint: Complaint) -> datetime | None:
    if complaint.supervisor_requested_at is None:
        return None
    return complaint.after(
        complaint.supervisor_requested_at, complaint.policy.supervisor_call.give_up_after
    )


def give_up(complaint: Complaint, at: datetime) -> None:
    """The customer waited the policy's limit and no supervisor joined: the supervisor is told."""
    why = (
        f"the customer waited {complaint.policy.supervisor_call.give_up_after} "
        "and no supervisor joined"
    )
    step = record(complaint, at, ENGINE, StepKind.SUPERVISOR_MISSED, reason=why)
    notify_role(complaint, step, NotificationKind.SUPERVISOR_MISSED, "supervisor", why)
    complaint.supervisor_requested_at = complaint.hold_reminder_at = None


def remind_hold(complaint: Complaint, at: datetime) -> None:
    """Remind the agent to refresh the customer's hold."""
    assert complaint.supervisor_requested_at is not None
    since = complaint.supervisor_requested_at.astimezone(complaint.zone).isoformat(
        timespec="minutes"
    )
    why = f"refresh the customer's hold: waiting for a supervisor since {since}"
    step = record(complaint, at, ENGINE, StepKind.HOLD_REMINDER, reason=why)
    notify_role(complaint, step, NotificationKind.HOLD_REMINDER, "agent", why)
    complaint.hold_reminder_at = complaint.after(
        at, complaint.policy.supervisor_call.refresh_hold_every
    )


class SupervisorRequest(RequestBody):
    """The customer on the line asks for a supervisor."""

    model_config = examples({"reason": "Wants a refund now."})

    reason: Reason


class RequestSupervisor(SupervisorRequest, Command):
    """Urgent notice to the supervisor; the agent refreshes the hold until they join."""

    roles = STAFF
    allowed_in = ACTIVE
    path = "supervisor-request"
    verbs = ("supervisor",)
    text_field, text_default = "reason", "the customer asks for one"

    def check(self, complaint: Complaint) -> None:
        super().check(complaint)
        if complaint.supervisor_requested_at is not None:
            raise ActionNotAllowed(
                "cannot request a supervisor: one was asked for at "
                f"{complaint.supervisor_requested_at.isoformat()} and has not joined yet"
            )

    def apply(self, complaint: Complaint, at: datetime) -> None:
        call = complaint.policy.supervisor_call
        complaint.supervisor_requested_at = at
        complaint.hold_reminder_at = complaint.after(at, call.refresh_hold_every)
        step = record(complaint, at, self.by, StepKind.SUPERVISOR_REQUESTED, reason=self.reason)
        notify_role(
            complaint, step, NotificationKind.SUPERVISOR_REQUESTED, "supervisor", self.reason
        )


class SupervisorJoined(Command):
    """The supervisor (the caller) took the call; the hold reminders stop."""

    roles = SUPERVISORS
    path = "supervisor-joined"
    verbs = ("supervisor_joined",)
    simulated_by = ActorRole.SUPERVISOR

    def check(self, complaint: Complaint) -> None:
        if complaint.supervisor_requested_at is None:
            raise ActionNotAllowed("cannot record a supervisor joining: none was asked for")

    def apply(self, complaint: Complaint, at: datetime) -> None:
        complaint.supervisor_requested_at = complaint.hold_reminder_at = None
        record(complaint, at, self.by, StepKind.SUPERVISOR_JOINED)
