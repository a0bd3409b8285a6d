"""What the case page shows of a complaint, in words: times in the complaint's local time, spans,
people by role and name (`domain.engine_room`)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from activities.journal_store import JournalCase
from api.desk.forms import forms_for
from api.desk.session import DeskUser
from domain.complaint import zone_name_for
from domain.engine_room import actor_name, local_time, span, step_words, timer_name, upcoming
from domain.history import DELIVERY_STEPS, Step
from domain.policy import OTHER_REASON, EscalationPolicy
from domain.status import ACTIVE, CLOCK_RUNS
from domain.view import ComplaintView


@dataclass(frozen=True)
class Moment:
    """A time shown on the page: words in local time, ISO for the countdown script."""

    iso: str
    local: str
    relative: str
    """`3 h 10 min left`, `late by 25 min`."""
    past: bool


def moment(at: datetime, zone: str, now: datetime) -> Moment:
    if at > now:
        return Moment(at.isoformat(), local_time(at, zone, now), f"in {span(at - now)}", False)
    return Moment(at.isoformat(), local_time(at, zone, now), f"{span(now - at)} ago", True)


def case_context(
    view: ComplaintView,
    policy: EscalationPolicy,
    user: DeskUser,
    now: datetime,
    posted: dict[str, Any] | None,
) -> dict[str, Any]:
    """Everything the case page's template reads."""
    zone = zone_name_for(policy, view.intake.country, None)
    level_code = f"L{view.level}"
    schedule = [
        {"what": timer_name(due, level_code), "at": moment(due.at, zone, now)}
        for due in upcoming(view, policy)
    ]
    forms = forms_for(view, policy, user.principal.role)
    category = policy.reason_category(view.intake.reason)
    return {
        "title": f"Complaint {view.id}",
        "view": view,
        "zone": zone,
        "brand": policy.brand_name or policy.name,
        "reason_category": "other reason" if category == OTHER_REASON else category,
        "status": view.status.replace("_", " "),
        "active": view.status in ACTIVE,
        "level_code": level_code,
        "deadline": _deadline(view, zone, now),
        "schedule": schedule,
        "assignee": getattr(view, "assignee", None),
        "opened": moment(view.opened_at, zone, now),
        "supervisor_since": (
            moment(view.supervisor_requested_at, zone, now)
            if view.supervisor_requested_at
            else None
        ),
        "cases": [_case(case, zone, now) for case in view.cases],
        "history": [_step(step, zone, now) for step in reversed(view.history)],
        "forms": [form for form in forms if form.route.name != "flag_case"],
        "flag_forms": [form for form in forms if form.route.name == "flag_case"],
        "posted": posted,
        "open_form": posted["key"] if posted else None,
        "policy": policy,
        "moment": lambda at: moment(at, zone, now) if at else None,
    }


def _deadline(view: ComplaintView, zone: str, now: datetime) -> dict[str, Any]:
    """The level's deadline: when, how long left or how late; or why there is none."""
    if view.status not in ACTIVE:
        return {"text": f"none: the complaint is {view.status}", "at": None}
    if view.status not in CLOCK_RUNS or view.deadline is None:
        left = view.sla_paused_remaining_seconds
        stopped = f", {span_seconds(left)} of the window left" if left is not None else ""
        return {"text": f"clock stopped ({view.status.replace('_', ' ')}){stopped}", "at": None}
    at = moment(view.deadline, zone, now)
    late, left = span(now - view.deadline), span(view.deadline - now)
    relative = f"late by {late}" if at.past else f"{left} left"
    held = f", held by {view.held_by.by} ({view.held_by.case_type})" if view.held_by else ""
    text = f"{at.local}{held}"
    return {"text": text, "at": at, "relative": relative, "breached": at.past or view.breached}


def messages_context(
    journaled: JournalCase | None, zone: str, now: datetime
) -> list[dict[str, Any]] | None:
    """Every message sent, oldest first, as it went out; None while the journal lacks the
    complaint (its first write is on its way, or it predates the journal)."""
    if journaled is None:
        return None
    return [
        {
            "message": message,
            "sent": moment(message.sent_at, zone, now),
            "to": message.recipient_role.replace("_", " "),
            "kind": message.kind.replace("_", " "),
        }
        for message in journaled.messages
    ]


def span_seconds(seconds: float) -> str:
    return span(timedelta(seconds=seconds))


def _case(case: Any, zone: str, now: datetime) -> dict[str, Any]:
    def when(at: datetime | None) -> Moment | None:
        return moment(at, zone, now) if at else None

    return {
        "run": case,
        "opened": when(case.opened_at),
        "answer_due": when(case.answer_due),
        "promise_due": when(case.promise_due),
        "done": when(case.done_at),
        "follow_ups": [
            {"item": item, "due": moment(item.due, zone, now)} for item in case.follow_ups
        ],
        "scheduled": [
            {"item": item, "due": moment(item.due, zone, now)} for item in case.scheduled
        ],
    }


def _step(step: Step, zone: str, now: datetime) -> dict[str, Any]:
    return {
        "step": step,
        "when": moment(step.at, zone, now),
        "who": actor_name(step.actor),
        "what": step_words(step.kind),
        "delivery": step.kind in DELIVERY_STEPS,
    }
