"""Runs playbooks on a complaint (seed 003): starts a case, reacts to its events and clocks."""

from datetime import datetime

from domain.behaviour import Switch
from domain.cases import (
    CaseFlag,
    CaseRun,
    EscalationRecord,
    LevelHold,
    PendingEvent,
    PendingFollowUp,
)
from domain.complaint import Complaint
from domain.history import ENGINE, Actor, StepKind
from domain.journal import record
from domain.messages import NotificationKind
from domain.outbox import contact_of, notify_customer, notify_role
from domain.playbooks import CaseAction, CaseEvent
from domain.timers import Due, Timer


def start_case(complaint: Complaint, at: datetime, actor: Actor, flag: CaseFlag) -> None:
    """Start the case type's playbook at once, beside the ladder (the flag is checked)."""
    playbook = complaint.policy.playbooks[flag.case_type]
    case = CaseRun(
        case_type=flag.case_type,
        title=playbook.title,
        fields=dict(flag.fields),
        description=flag.description,
        opened_at=at,
    )
    complaint.cases = {**complaint.cases, flag.case_type: case}
    why = f"{playbook.title}: {playbook.first_action}"
    record(complaint, at, actor, StepKind.CASE_OPENED, why, flag.description, case.case_type)
    run_event(complaint, case, CaseEvent.OPENED, at, f"{playbook.title} flagged")


def timers(complaint: Complaint) -> list[Due]:
    """Each active case's moments: its answer and promise deadlines, next follow-up and event."""
    moments = []
    for case in complaint.cases.values():
        if not case.active:
            continue
        kind = case.case_type
        if case.answer_due is not None:
            moments.append(Due(Timer.ANSWER_DUE, case.answer_due, kind))
        if case.promise_due is not None:
            moments.append(Due(Timer.PROMISE_DUE, case.promise_due, kind))
        if case.follow_ups:
            moments.append(Due(Timer.FOLLOW_UP, case.follow_ups[0].due, kind))
        if case.scheduled:
            moments.append(Due(Timer.CASE_EVENT, case.scheduled[0].due, kind))
    return moments


def on_timer(complaint: Complaint, due: Due) -> None:
    """A case's moment came: a deadline passed, a follow-up is due, a scheduled event happens."""
    assert due.case is not None
    case, at = complaint.cases[due.case], due.at
    match due.timer:
        case Timer.ANSWER_DUE:
            case.answer_due = None
            why = f"{case.asked} did not answer in time"
            _end_hold(complaint, case, at, why)
            record(complaint, at, ENGINE, StepKind.CASE_SILENT, reason=why, case=case.case_type)
            run_event(complaint, case, CaseEvent.SILENT, at, why)
        case Timer.PROMISE_DUE:
            case.promise_due = None
            why = f"the promise to the customer ({case.promise}) was not kept"
            _end_hold(
                complaint, case, at, f"the promise to the customer of {case.promise} was missed"
            )
            record(complaint, at, ENGINE, StepKind.PROMISE_MISSED, reason=why, case=case.case_type)
            run_event(complaint, case, CaseEvent.PROMISE_MISSED, at, why)
        case Timer.FOLLOW_UP:
            _follow_up(complaint, case, at)
        case Timer.CASE_EVENT:
            event = case.scheduled.pop(0).event
            why = f"scheduled {event}"
            record(complaint, at, ENGINE, StepKind.CASE_EVENT, reason=why, case=case.case_type)
            run_event(complaint, case, event, at, why)
        case _:
            raise AssertionError(f"{due.timer} is not a playbook's timer")


def _follow_up(complaint: Complaint, case: CaseRun, at: datetime) -> None:
    follow_up = case.follow_ups.pop(0)
    if follow_up.every is not None:
        due = complaint.after(at, follow_up.every)
        case.follow_ups.append(follow_up.model_copy(update={"due": due}))
        case.follow_ups.sort(key=lambda item: item.due)
    text = follow_up.text
    step = record(complaint, at, ENGINE, StepKind.FOLLOW_UP, reason=text, case=case.case_type)
    notify_role(complaint, step, NotificationKind.CASE_TASK, follow_up.notify, text, case, text)


def run_event(complaint: Complaint, case: CaseRun, event: str, at: datetime, why: str) -> None:
    """Carry out the playbook's actions for `event`, while the case stays active."""
    playbook = complaint.policy.playbooks[case.case_type]
    for action in playbook.actions_for(event, case.fields):
        if case.active:
            _apply(complaint, case, action, at, f"{event}: {why}")


def _apply(complaint: Complaint, case: CaseRun, action: CaseAction, at: datetime, why: str) -> None:
    kind = case.case_type
    if action.ask:
        case.asked = action.ask
        case.answer_due = complaint.after(at, action.within) if action.within else None
        by = f" by {case.answer_due.isoformat()}" if case.answer_due else ""
        asked = contact_of(complaint, action.ask, case)[0]
        reason = f"asked {asked} ({action.ask}) to answer{by}"
        if case.answer_due is not None:
            _hold_level(complaint, case, case.answer_due, f"the deadline {asked} was given")
        step = record(complaint, at, ENGINE, StepKind.CASE_ASKED, reason=reason, case=kind)
        escalation = escalation_record(complaint, case, action.ask, at, why)
        request = NotificationKind(action.request.value)
        notify_role(complaint, step, request, action.ask, why, case, escalation=escalation)
    elif action.promise:
        _promise(complaint, case, action, at)
    elif action.escalate:
        reason = f"escalated to {action.escalate}: {why}"
        escalation = _hand_over(complaint, case, action.escalate, at, why, reason)
        case.escalations.append(escalation)
    elif action.follow_up:
        follow_up = action.follow_up
        case.follow_ups.append(
            PendingFollowUp(
                due=complaint.after(at, follow_up.after),
                every=follow_up.every,
                notify=follow_up.notify,
                text=follow_up.text,
            )
        )
        case.follow_ups.sort(key=lambda item: item.due)
    elif action.tell_customer:
        message = NotificationKind(action.tell_customer.value)
        text = _customer_text(complaint, case, message)
        step = record(complaint, at, ENGINE, StepKind.CUSTOMER_TOLD, message, text, kind)
        notify_customer(complaint, step, message, case=case, text=text)
    elif action.task:
        task = action.task
        step = record(complaint, at, ENGINE, StepKind.CASE_TASK, reason=task.text, case=kind)
        notify_role(complaint, step, NotificationKind.CASE_TASK, task.notify, why, case, task.text)
    elif action.handling:
        tier = action.handling
        complaint.handling = tier
        reason = f"handled by the {tier.role}: {why}"
        _hand_over(complaint, case, tier.role, at, why, reason, StepKind.REASSIGNED)
    elif action.schedule:
        start = case.date_field(action.since, complaint.zone) if action.since else at
        due = max(complaint.after(start, action.schedule.after), at)
        case.scheduled.append(PendingEvent(due=due, event=action.schedule.event))
        case.scheduled.sort(key=lambda item: item.due)
    elif action.done:
        case.settle(at)
        record(complaint, at, ENGINE, StepKind.CASE_DONE, reason=why, case=kind)


def _hand_over(
    complaint: Complaint,
    case: CaseRun,
    role: str,
    at: datetime,
    why: str,
    reason: str,
    kind: StepKind = StepKind.CASE_ESCALATED,
) -> EscalationRecord:
    """The case goes to `role`: a step carrying its escalation record, which `role` receives."""
    escalation = escalation_record(complaint, case, role, at, why)
    step = record(complaint, at, ENGINE, kind, reason, case=case.case_type, escalation=escalation)
    handed_over = NotificationKind.CASE_ESCALATION
    notify_role(complaint, step, handed_over, role, why, case, escalation=escalation)
    return escalation


def _promise(complaint: Complaint, case: CaseRun, action: CaseAction, at: datetime) -> None:
    """Promise the customer a wait (from now, or from a date field); tell them if asked to."""
    assert action.promise is not None
    start = case.date_field(action.since, complaint.zone) if action.since else at
    due = complaint.after(start, action.promise)
    case.promise = action.promise.text
    kind = case.case_type
    if due <= at:  # the wait was over before the case was flagged: nothing to keep
        told = f"the {action.promise} wait already ended at {due.isoformat()}"
        record(complaint, at, ENGINE, StepKind.CASE_PROMISED, reason=told, case=kind)
        return
    case.promise_due = due
    _hold_level(complaint, case, due, f"the promise to the customer of {action.promise}")
    told = f"promised the customer {action.promise}: by {due.isoformat()}"
    step = record(complaint, at, ENGINE, StepKind.CASE_PROMISED, reason=told, case=kind)
    if action.tell:
        notify_customer(complaint, step, NotificationKind.CASE_PROMISE, case=case)


def _hold_level(complaint: Complaint, case: CaseRun, until: datetime, by: str) -> None:
    """While a case waits legitimately on its promise (or its asked party), the level waits too:
    seed 003 escalates when the promise or the centre's deadline is missed, and the level
    windows are the brand's own. A later end holds it longer; an earlier one changes nothing."""
    hold = complaint.promise_hold
    if complaint.follows(Switch.PROMISE_HOLDS_LEVEL) and (hold is None or until > hold.until):
        complaint.promise_hold = LevelHold(until=until, case_type=case.case_type, by=by)


def _end_hold(complaint: Complaint, case: CaseRun, at: datetime, what: str) -> None:
    """A promise or an asked party's deadline was missed: the complaint no longer waits
    legitimately, so nothing holds the level past now (its clock takes over again)."""
    hold = complaint.promise_hold
    if hold is not None and hold.until >= at:
        missed = LevelHold(until=at, case_type=case.case_type, by=what, missed=True)
        complaint.promise_hold = missed


def escalation_record(
    complaint: Complaint, case: CaseRun, to: str, at: datetime, why: str
) -> EscalationRecord:
    """What the role a case goes to receives (seed 003's escalation spreadsheet)."""
    intake, customer = complaint.intake, complaint.intake.customer
    description = "\n\n".join(filter(None, [intake.description, case.description]))
    return EscalationRecord(
        ticket=complaint.id,
        case_type=case.case_type,
        case_title=case.title,
        escalated_to=to,
        at=at,
        why=why,
        customer_name=customer.name,
        customer_email=customer.email,
        customer_phone=customer.phone,
        customer_address=customer.address,
        customer_company=customer.company,
        recorded_by=(intake.recorded_by.role.value, intake.recorded_by.name),
        product=intake.product,
        description=description or intake.reason,
        fields=case.fields,
        promise=case.promise,
        promise_due=case.promise_due,
        asked=case.asked,
        answer=case.answer,
    )


def _customer_text(complaint: Complaint, case: CaseRun, message: NotificationKind) -> str | None:
    """What a playbook's customer message needs besides the template: an answer, contacts."""
    if message is NotificationKind.NOT_COVERED:
        return case.answer
    if message is NotificationKind.RETAILER_CONTACTS:
        name, contact = contact_of(complaint, "retailer", case)
        return f"{name}: {contact.email}" if contact else name
    return None
