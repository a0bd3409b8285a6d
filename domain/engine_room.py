"""What operators read in the Temporal Web UI: a complaint or a matter as a case file.

Every operator who opens a workflow's page reads its summaries and details (decrypted by the codec
server), so they name a complaint by its id, brand, country, reason category and a known model,
its people by role, and its moments in the complaint's local time; never by what the customer
typed (name, contacts, description, a free-text reason or product).
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import assert_never
from zoneinfo import ZoneInfo

from domain.complaint import Complaint
from domain.durations import DurationKind
from domain.history import DELIVERY_STEPS, ENGINE, Actor, ActorRole, StepKind
from domain.intake import ComplaintIntake
from domain.ladder import next_due, next_warning
from domain.messages import DeliveryChannel, Notification, NotificationKind, Recipient
from domain.policy import OTHER_REASON, EscalationPolicy
from domain.status import ACTIVE, CLOCK_RUNS, ComplaintStatus
from domain.timers import Due, Timer
from domain.view import ComplaintView

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""English names whatever the worker's locale: every worker writes the same text."""
STEP_WORDS: dict[StepKind, str] = {
    StepKind.OPENED: "opened the complaint",
    StepKind.WARNED: "warned the owner",
    StepKind.BREACHED: "deadline breached",
    StepKind.ESCALATED: "escalated",
    StepKind.NEW_ROUND: "started a fresh round at the top level",
    StepKind.REALERTED: "alerted the top level again",
    StepKind.RESOLUTION_PROPOSED: "proposed a resolution",
    StepKind.ACCEPTED: "accepted the resolution",
    StepKind.REJECTED: "rejected the resolution",
    StepKind.RESOLVED: "resolved",
    StepKind.REOPENED: "reopened",
    StepKind.PAUSED: "paused the clock",
    StepKind.RESUMED: "resumed the clock",
    StepKind.CONTACTED: "recorded a contact",
    StepKind.REASSIGNED: "handed it to another tier",
    StepKind.SUPERVISOR_REQUESTED: "asked for a supervisor",
    StepKind.HOLD_REMINDER: "reminded the agent to refresh the hold",
    StepKind.SUPERVISOR_JOINED: "joined the call as supervisor",
    StepKind.SUPERVISOR_MISSED: "supervisor call missed",
    StepKind.CLOSED: "closed",
    StepKind.NOTE_ADDED: "added a note",
    StepKind.REPLY_APPROVED: "approved the reply",
    StepKind.REPLY_REFUSED: "refused the reply",
    StepKind.DECISION_REMINDED: "reminded of the proposed resolution",
    StepKind.ASSESSED: "assessed the complaint",
    StepKind.ACCOUNTABILITY_OPENED: "opened the accountability record",
    StepKind.CASE_OPENED: "flagged a case",
    StepKind.CASE_ASKED: "asked for an answer",
    StepKind.CASE_PROMISED: "made a promise to the customer",
    StepKind.CASE_ESCALATED: "escalated the case",
    StepKind.CASE_TASK: "set a task",
    StepKind.CUSTOMER_TOLD: "told the customer",
    StepKind.CASE_ANSWERED: "recorded the answer",
    StepKind.CASE_EVENT: "recorded a case event",
    StepKind.CASE_SILENT: "no answer in time",
    StepKind.PROMISE_MISSED: "promise to the customer missed",
    StepKind.FOLLOW_UP: "follow-up due",
    StepKind.CASE_DONE: "case done",
    StepKind.NOTIFIED: "sent a message",
    StepKind.NOTIFICATION_SKIPPED: "skipped a message",
    StepKind.NOTIFICATION_FAILED: "a message failed",
    StepKind.NOTIFICATION_HELD: "held a message for quiet hours",
    StepKind.UNDELIVERED: "nothing got through",
    StepKind.CANCEL_REFUSED: "refused a cancellation from Temporal",
    StepKind.ASSIGNED: "assigned the complaint",
    StepKind.RELEASED: "released the complaint",
}
"""What each kind of step did, in words for the desk's history (`who` then this)."""
KIND_NAMES = {
    NotificationKind.ASSIGNED: "assignment",
    NotificationKind.SLA_WARNING: "deadline warning",
}
"""Message kinds whose names do not read well as they are; the others lose their underscores."""


# --- words for moments, spans and people -------------------------------------------------------


def local_time(at: datetime, zone_name: str, now: datetime) -> str:
    """`Tue 24 Nov 11:00 CST` in the zone; with the year when it is not `now`'s there."""
    zone = ZoneInfo(zone_name)
    local = at.astimezone(zone)
    year = "" if local.year == now.astimezone(zone).year else f" {local.year}"
    month = MONTHS[local.month - 1]
    return f"{WEEKDAYS[local.weekday()]} {local.day} {month}{year} {local:%H:%M} {local.tzname()}"


def span(length: timedelta) -> str:
    """`25 min`, `3 h 10 min`, `2 d 5 h`: whole minutes, rounded down."""
    minutes = int(length.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "less than a minute"


def actor_name(actor: Actor) -> str:
    """Staff by role and name; a customer only as `the customer`."""
    if actor.role is ActorRole.CUSTOMER:
        return "the customer"
    if actor == ENGINE:
        return "the escalation engine"
    return f"{actor.role} {actor.name}"


def recipient_name(policy: EscalationPolicy, recipient: Recipient) -> str:
    """A message's recipient by role: a level's owner with the level's name, never a person's."""
    if recipient.role == "customer":
        return "the customer"
    level = next((level for level in policy.levels if level.owner_role == recipient.role), None)
    if level is not None:
        return f"the {level.name} ({level.owner_role})"
    return f"the {recipient.role.replace('_', ' ')}"


# --- a complaint --------------------------------------------------------------------------------


def complaint_summary(complaint_id: str, intake: ComplaintIntake, policy: EscalationPolicy) -> str:
    """One line: `Complaint 3f2a · Xiaomi · IN · Battery or charging · Redmi Note 10 Pro`."""
    return " · ".join([f"Complaint {complaint_id}", *_filed_as(intake, policy)])


def complaint_static_details(intake: ComplaintIntake, policy: EscalationPolicy) -> str:
    """How it came in and the matrix it climbs, level by level with its owner and window."""
    version = f" (version {policy.version})" if policy.version else ""
    levels = [
        f"- {level.code} {level.name} ({level.owner_role}): {level.resolution_window}"
        for level in policy.levels
    ]
    return "\n".join(
        [
            f"Filed via **{intake.channel}** under policy **{policy.name}**{version}",
            "",
            "**Escalation matrix**",
            "",
            *levels,
        ]
    )


def complaint_details(complaint: Complaint, now: datetime) -> str:
    """Where it stands at `now`: status, level and owner, deadline, the next and the last step."""
    level = complaint.current_level
    due = next_due(complaint)
    upcoming = due_summary(complaint, due, now) if due else "nothing scheduled"
    return "\n".join(
        [
            f"**{_status(complaint.status)}** at **{level.code} {level.name}** "
            f"(owner: {level.owner_role})",
            "",
            f"- deadline: {_deadline(complaint, now)}",
            f"- next: {upcoming}",
            f"- last step: {_last_step(complaint, now)}",
            f"- as of {local_time(now, complaint.zone_name, now)}",
        ]
    )


def due_summary(complaint: Complaint, due: Due, now: datetime) -> str:
    """What a timer is and when it fires: `L2 75 % warning at Tue 24 Nov 05:00 CST`."""
    return f"{_timer_name(complaint, due)} at {local_time(due.at, complaint.zone_name, now)}"


def delivery_summary(
    complaint: Complaint, notification: Notification, channel: DeliveryChannel
) -> str:
    """One message on one channel: `acknowledgement to the customer, email`."""
    kind = KIND_NAMES.get(notification.kind, notification.kind.replace("_", " "))
    recipient = recipient_name(complaint.policy, notification.recipient)
    return f"{kind} to {recipient}, {channel}"


def quiet_hours_summary(
    complaint: Complaint,
    notification: Notification,
    channel: DeliveryChannel,
    until: datetime,
    now: datetime,
) -> str:
    """A message held back: `quiet hours for sms to the team leader until Wed 25 Nov 07:00 IST`."""
    recipient = recipient_name(complaint.policy, notification.recipient)
    release = local_time(until, complaint.zone_name, now)
    return f"quiet hours for {channel} to {recipient} until {release}"


def _filed_as(intake: ComplaintIntake, policy: EscalationPolicy) -> list[str]:
    """Brand, country, reason category and the model if the policy knows it: no free text."""
    category = policy.reason_category(intake.reason)
    reason = "other reason" if category == OTHER_REASON else category
    model = policy.known_model(intake.product)
    brand = policy.brand_name or policy.name
    return [brand, intake.country, reason, *([model] if model else [])]


def _status(status: ComplaintStatus) -> str:
    return status.replace("_", " ").capitalize()


def _deadline(complaint: Complaint, now: datetime) -> str:
    clock = complaint.clock
    if complaint.status not in ACTIVE:
        return f"none, {complaint.status}"
    deadline = complaint.deadline
    if complaint.status not in CLOCK_RUNS or deadline is None:
        return f"clock stopped, {span(clock.window - clock.used)} of the window left"
    at = local_time(deadline, complaint.zone_name, now)
    if (hold := complaint.holding) is not None and complaint.next_alert_at is None:
        at = f"{at}, held past the level's window by {hold.by} ({hold.case_type})"
    if now < deadline:
        return f"{at}, {span(deadline - now)} left"
    return f"{at}, breached, late by {span(now - deadline)}"


def _timer_name(complaint: Complaint, due: Due) -> str:
    warning = next_warning(complaint) if due.timer is Timer.WARNING else None
    return timer_name(due, complaint.current_level.code, warning[0] if warning else None)


def timer_name(due: Due, level_code: str, warning: float | None = None) -> str:
    """A timer in words: `L2 breach`, `L1 75 % warning`, `playbook promise due (injury)`."""
    code = level_code
    match due.timer:
        case Timer.WARNING:
            return f"{code} {warning * 100:g} % warning" if warning else f"{code} warning"
        case Timer.BREACH:
            return f"{code} breach"
        case Timer.REALERT:
            return f"{code} re-alert"
        case Timer.DECISION_REMINDER:
            return "reminder of the proposed resolution"
        case Timer.DECISION_DUE:
            return "the proposed resolution stands"
        case Timer.REOPEN_ENDS:
            return "reopen window ends"
        case Timer.HOLD_REMINDER:
            return "hold reminder to the agent (supervisor call)"
        case Timer.SUPERVISOR_GIVE_UP:
            return "supervisor call missed"
        case Timer.ANSWER_DUE:
            return f"playbook answer due ({due.case})"
        case Timer.PROMISE_DUE:
            return f"playbook promise due ({due.case})"
        case Timer.FOLLOW_UP:
            return f"playbook follow-up ({due.case})"
        case Timer.CASE_EVENT:
            return f"playbook event ({due.case})"
        case _:
            assert_never(due.timer)


def _last_step(complaint: Complaint, now: datetime) -> str:
    """The last change of the complaint (a delivery's record is not one), and who made it."""
    step = next(step for step in reversed(complaint.history) if step.kind not in DELIVERY_STEPS)
    case = f" ({step.case})" if step.case else ""
    at = local_time(step.at, complaint.zone_name, now)
    return f"{step.kind.replace('_', ' ')}{case} by {actor_name(step.actor)} at {at}"


# --- the case desk ------------------------------------------------------------------------------


def step_words(kind: StepKind) -> str:
    """`added a note`, `escalated`: what a step of the history did."""
    return STEP_WORDS[kind]


def upcoming(view: ComplaintView, policy: EscalationPolicy) -> list[Due]:
    """What the complaint will do on its own, soonest first, as far as its view tells: the
    level's breach or re-alert, the proposed resolution standing, the reopen window's end, a
    supervisor call given up, each running playbook's next moments. (Warnings and reminders
    are not in the view.)"""
    moments: list[Due] = []
    if view.status in CLOCK_RUNS:
        if view.next_alert_at is not None:
            moments.append(Due(Timer.REALERT, view.next_alert_at))
        elif view.deadline is not None:
            moments.append(Due(Timer.BREACH, view.deadline))
    if view.status is ComplaintStatus.AWAITING_CUSTOMER and view.decision_due_at is not None:
        moments.append(Due(Timer.DECISION_DUE, view.decision_due_at))
    if view.status is ComplaintStatus.RESOLVED and view.reopen_until is not None:
        moments.append(Due(Timer.REOPEN_ENDS, view.reopen_until))
    give_up = policy.supervisor_call.give_up_after
    if view.supervisor_requested_at is not None and give_up.kind is DurationKind.ELAPSED:
        at = view.supervisor_requested_at + give_up.length
        moments.append(Due(Timer.SUPERVISOR_GIVE_UP, at))
    for case in view.cases:
        if not case.active:
            continue
        if case.answer_due is not None:
            moments.append(Due(Timer.ANSWER_DUE, case.answer_due, case.case_type))
        if case.promise_due is not None:
            moments.append(Due(Timer.PROMISE_DUE, case.promise_due, case.case_type))
        if case.follow_ups:
            moments.append(Due(Timer.FOLLOW_UP, case.follow_ups[0].due, case.case_type))
        if case.scheduled:
            moments.append(Due(Timer.CASE_EVENT, case.scheduled[0].due, case.case_type))
    return sorted(moments, key=lambda due: due.at)


# --- a matter -----------------------------------------------------------------------------------


def matter_summary(matter_id: str, intake: ComplaintIntake, policy: EscalationPolicy) -> str:
    """One line: `Matter mat_… · Xiaomi · IN · Battery or charging · Redmi Note 10 Pro`."""
    return " · ".join([f"Matter {matter_id}", *_filed_as(intake, policy)])


def matter_details(
    filings: int,
    open_complaint: str | None,
    complaints: Sequence[str],
    window_ends_at: datetime | None,
    zone_name: str,
    now: datetime,
) -> str:
    """The filings it routed, the complaint open now, the ones it started and the repeat window."""
    heading = f"Complaint {open_complaint} open" if open_complaint else "No complaint open"
    if window_ends_at is None:
        window = "not started"
    else:
        ends = local_time(window_ends_at, zone_name, now)
        window = f"until {ends}" if now < window_ends_at else f"ended {ends}"
    return "\n".join(
        [
            f"**{heading}**",
            "",
            f"- filings: {filings}",
            f"- complaints started: {', '.join(complaints) or 'none'}",
            f"- repeat window: {window}",
            f"- as of {local_time(now, zone_name, now)}",
        ]
    )
