"""The escalation ladder: when a complaint acts on its own, and what it does then.

Read top to bottom: the timers that can fire (`timers`), the loop that fires them in order
(`advance`), then each step of the ladder: warn, breach, escalate, re-alert at the top, restart
the top after a rejection, remind the customer of a pending decision, resolve and close. Every
function takes the moment it happens at; none reads a clock.
"""

from datetime import datetime
from typing import assert_never

from domain import playbook_runner, supervisor_call
from domain.behaviour import Switch
from domain.complaint import Complaint
from domain.history import ENGINE, Actor, StepKind
from domain.journal import record
from domain.messages import NotificationKind
from domain.outbox import notify_customer, notify_owner
from domain.sla import SlaClock
from domain.status import ComplaintStatus
from domain.timers import Due, Timer

# --- when ---------------------------------------------------------------------------------------


def timers(complaint: Complaint) -> list[Due]:
    """Every timer set now; on a tie the supervisor call goes first, then playbooks, the ladder
    last."""
    return [
        *supervisor_call.timers(complaint),
        *playbook_runner.timers(complaint),
        *_ladder_timers(complaint),
    ]


def next_due(complaint: Complaint) -> Due | None:
    """The next moment the complaint acts on its own (the first of a tie)."""
    return min(timers(complaint), key=lambda due: due.at, default=None)


def next_due_at(complaint: Complaint) -> datetime | None:
    due = next_due(complaint)
    return due.at if due else None


def _ladder_timers(complaint: Complaint) -> list[Due]:
    match complaint.status:
        case ComplaintStatus.OPEN | ComplaintStatus.AWAITING_APPROVAL:
            if (alert_at := complaint.next_alert) is not None:
                return [Due(Timer.REALERT, alert_at)]
            deadline = complaint.deadline
            if deadline is None:
                return []
            if complaint.holding is not None:  # its warnings would warn of a moot deadline
                return [Due(Timer.BREACH, deadline)]
            warning = next_warning(complaint)
            breach = Due(Timer.BREACH, deadline)
            return [Due(Timer.WARNING, warning[1]), breach] if warning else [breach]
        case ComplaintStatus.AWAITING_CUSTOMER if complaint.decision_reminder_at is not None:
            return [Due(Timer.DECISION_REMINDER, complaint.decision_reminder_at)]
        case ComplaintStatus.AWAITING_CUSTOMER if complaint.decision_due_at is not None:
            return [Due(Timer.DECISION_DUE, complaint.decision_due_at)]
        case ComplaintStatus.RESOLVED if complaint.reopen_until is not None:
            return [Due(Timer.REOPEN_ENDS, complaint.reopen_until)]
        case _:
            return []


def next_warning(complaint: Complaint) -> tuple[float, datetime] | None:
    """The next warning threshold not yet sent for this window, and when it falls due."""
    clock = complaint.clock
    for threshold in complaint.policy.warnings:
        if threshold not in complaint.warned:
            at = clock.moment_used(clock.window * threshold)
            return (threshold, at) if at else None
    return None


# --- what fires ---------------------------------------------------------------------------------


def advance(complaint: Complaint, now: datetime) -> None:
    """Act on everything that has fallen due by `now`, each at the moment it fell due."""
    while (due := next_due(complaint)) is not None and due.at <= now:
        at = due.at
        match due.timer:
            case Timer.SUPERVISOR_GIVE_UP:
                supervisor_call.give_up(complaint, at)
            case Timer.HOLD_REMINDER:
                supervisor_call.remind_hold(complaint, at)
            case Timer.ANSWER_DUE | Timer.PROMISE_DUE | Timer.FOLLOW_UP | Timer.CASE_EVENT:
                playbook_runner.on_timer(complaint, due)
            case Timer.WARNING:
                warn(complaint, at)
            case Timer.BREACH:
                breach(complaint, at)
            case Timer.REALERT:
                realert(complaint, at, now)
            case Timer.DECISION_REMINDER:
                remind_decision(complaint, at)
            case Timer.DECISION_DUE:
                resolve(complaint, at, ENGINE, reason="the customer did not answer in time")
            case Timer.REOPEN_ENDS:
                complaint.status = ComplaintStatus.CLOSED
                record(complaint, at, ENGINE, StepKind.CLOSED, reason="reopen window ended")
            case _:
                assert_never(due.timer)


def warn(complaint: Complaint, at: datetime) -> None:
    """Tell the level's owner that a share of the window has passed."""
    warning = next_warning(complaint)
    assert warning is not None
    threshold = warning[0]
    complaint.warned = (*complaint.warned, threshold)
    level = complaint.current_level
    why = f"{threshold:.0%} of the {level.code} window of {level.resolution_window} has passed"
    step = record(complaint, at, ENGINE, StepKind.WARNED, reason=why)
    notify_owner(complaint, step, NotificationKind.SLA_WARNING, reason=why)


def breach(complaint: Complaint, at: datetime) -> None:
    """The level's window ran out: up a level, or at the top, alert its owner until resolved."""
    level = complaint.current_level
    why = f"{level.code} window of {level.resolution_window} ran out"
    if (hold := complaint.holding) is not None:
        until = hold.by if hold.missed else f"the end of {hold.by}"
        why = f"{why}; {hold.case_type} held it until {until}"
    step = record(complaint, at, ENGINE, StepKind.BREACHED, reason=why)
    if not complaint.at_top:
        escalate(complaint, at, ENGINE, reason=f"{level.code} deadline breached")
        return
    complaint.next_alert_at = complaint.after(at, complaint.policy.realert_interval)
    notify_owner(complaint, step, NotificationKind.BREACH_ALERT, reason="resolution window ran out")


def escalate(complaint: Complaint, at: datetime, actor: Actor, reason: str) -> None:
    """Up one level, with a fresh window there; its owner is told. Whoever held the complaint
    lets it go: the new level's owner role takes over."""
    if (held_by := complaint.assignee) is not None:
        complaint.assignee = None
        up = complaint.policy.level(complaint.level + 1)
        why = (
            f"{held_by.name} no longer holds it: escalated to {up.code} ({up.name}), "
            f"where the {up.owner_role} queue takes over"
        )
        record(complaint, at, ENGINE, StepKind.RELEASED, reason=why, assignee=held_by)
    complaint.level += 1
    start_level_clock(complaint, at)
    step = record(complaint, at, actor, StepKind.ESCALATED, reason=reason)
    notify_owner(complaint, step, NotificationKind.ASSIGNED, reason=reason)
    if complaint.follows(Switch.CUSTOMER_TOLD_OF_ESCALATION):  # seeds 000-002
        notify_customer(complaint, step, NotificationKind.ESCALATED)


def realert(complaint: Complaint, due: datetime, now: datetime) -> None:
    """Alert the last level again; alerts missed while nothing ran collapse into one."""
    why = "still unresolved after the deadline"
    step = record(complaint, due, ENGINE, StepKind.REALERTED, reason=why)
    notify_owner(complaint, step, NotificationKind.BREACH_ALERT, reason=why)
    interval = complaint.policy.realert_interval
    following = complaint.after(due, interval)
    while following <= now:
        following = complaint.after(following, interval)
    complaint.next_alert_at = following


def after_rejection(complaint: Complaint, at: datetime, actor: Actor, step: int, why: str) -> None:
    """The customer rejected the resolution: up a level at once; at the top, a new round there."""
    if complaint.at_top:
        start_level_clock(complaint, at)
        if complaint.follows(Switch.TOP_ROUND_RECORDED):
            level = complaint.current_level
            fresh = f"{why}; a fresh {level.code} window of {level.resolution_window}"
            step = record(complaint, at, actor, StepKind.NEW_ROUND, reason=fresh)
        notify_owner(complaint, step, NotificationKind.ASSIGNED, reason=why)
    else:
        escalate(complaint, at, actor, reason=why)


def start_level_clock(complaint: Complaint, at: datetime) -> None:
    """A fresh window for the current level: its warnings and re-alerts start over."""
    window = complaint.current_level.resolution_window
    complaint.clock = SlaClock.start(
        window,
        at,
        complaint.calendar,
        from_last_working_moment=complaint.follows(Switch.BUSINESS_DAYS_FROM_WORKING_TIME),
    )
    complaint.warned = ()
    complaint.next_alert_at = None


def remind_decision(complaint: Complaint, at: datetime) -> None:
    """The customer has not answered the proposed resolution: remind them and the owner."""
    complaint.decision_reminder_at = None
    assert complaint.decision_due_at is not None
    standing = complaint.decision_due_at.isoformat()
    why = f"the proposed resolution stands at {standing} unless answered"
    step = record(complaint, at, ENGINE, StepKind.DECISION_REMINDED, reason=why)
    notify_customer(
        complaint, step, NotificationKind.DECISION_REMINDER, resolution=complaint.pending_resolution
    )
    notify_owner(complaint, step, NotificationKind.DECISION_REMINDER, reason=why)


def resolve(complaint: Complaint, at: datetime, actor: Actor, reason: str) -> None:
    """Resolved: it can be reopened until the policy's window ends; its playbooks are done."""
    complaint.status = ComplaintStatus.RESOLVED
    complaint.next_alert_at = None
    complaint.resolved_at = at
    complaint.reopen_until = complaint.after(at, complaint.policy.reopen_window)
    complaint.decision_due_at = None
    step = record(
        complaint, at, actor, StepKind.RESOLVED, reason=reason, text=complaint.pending_resolution
    )
    notify_customer(complaint, step, NotificationKind.RESOLVED)
    for case in complaint.cases.values():
        if case.active:
            case.settle(at)
            why = "the complaint is resolved"
            record(complaint, at, ENGINE, StepKind.CASE_DONE, reason=why, case=case.case_type)
