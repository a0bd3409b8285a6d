"""Playbooks running on a complaint (seed 003): flagging a case, its answers, events and clocks."""

from datetime import datetime

from domain.cases import (
    CaseFlag,
    CaseNotValid,
    CaseRun,
    EscalationRecord,
    PendingEvent,
    PendingFollowUp,
)
from domain.complaint_state import Action, ActionNotAllowed, ComplaintState
from domain.history import ENGINE, Actor, StepKind
from domain.messages import NotificationKind
from domain.playbooks import CaseAction, CaseEvent, Playbook


class PlaybookRunner(ComplaintState):
    """The complaint's playbook side; the ladder (Complaint) builds on it."""

    # --- playbooks (seed 003) -------------------------------------------------------------------

    def check_case_flag(self, flag: CaseFlag) -> Playbook:
        """The flag's playbook; ActionNotAllowed or CaseNotValid say why it cannot start now."""
        self.ensure_allowed(Action.FLAG_CASE)
        playbook = self.policy.playbooks.get(flag.case_type)
        if playbook is None:
            known = ", ".join(sorted(self.policy.playbooks)) or "none"
            raise CaseNotValid(
                f"policy {self.policy.name} has no playbook {flag.case_type!r}; known: {known}",
                "case_type",
            )
        running = self.cases.get(flag.case_type)
        if running is not None and running.active:
            raise ActionNotAllowed(
                f"cannot flag {flag.case_type}: its playbook runs since "
                f"{running.opened_at.isoformat()}"
            )
        flag.checked_against(playbook)
        return playbook

    def flag_case(self, at: datetime, actor: Actor, flag: CaseFlag) -> None:
        """Start the case type's playbook at once, beside the ladder."""
        playbook = self.check_case_flag(flag)
        case = CaseRun(
            case_type=flag.case_type,
            title=playbook.title,
            fields=dict(flag.fields),
            description=flag.description,
            opened_at=at,
        )
        self.cases = {**self.cases, flag.case_type: case}
        self._record(
            at,
            actor,
            StepKind.CASE_OPENED,
            reason=f"{playbook.title}: {playbook.first_action}",
            text=flag.description,
            case=case.case_type,
        )
        self._run_case_event(case, CaseEvent.OPENED, at, f"{playbook.title} flagged")

    @property
    def running_case_types(self) -> set[str]:
        return {case_type for case_type, case in self.cases.items() if case.active}

    def running_case(self, case_type: str) -> CaseRun:
        """The active case of this type, or ActionNotAllowed saying why there is none."""
        self.ensure_allowed(Action.UPDATE_CASE)
        case = self.cases.get(case_type)
        if case is None:
            raise ActionNotAllowed(f"no {case_type} case is flagged on this complaint")
        if not case.active:
            raise ActionNotAllowed(f"the {case_type} case is done since {case.done_at}")
        return case

    def check_case_answer(self, case_type: str, outcome: str | None) -> CaseRun:
        """The case an answer is for; refuses unless someone was asked and the outcome is known."""
        case = self.running_case(case_type)
        if case.asked is None:
            raise ActionNotAllowed(f"the {case_type} playbook asked nobody for an answer")
        outcomes = self.policy.playbooks[case_type].outcomes
        if outcome is not None and outcome not in outcomes:
            raise CaseNotValid(
                f"{case_type}: unknown outcome {outcome!r}; known: {', '.join(outcomes) or 'none'}",
                "outcome",
            )
        return case

    def answer_case(
        self, at: datetime, actor: Actor, case_type: str, answer: str, outcome: str | None = None
    ) -> None:
        """The asked party (service centre, retailer) answered: its clock stops."""
        case = self.check_case_answer(case_type, outcome)
        case.answer, case.outcome, case.answer_due = answer, outcome, None
        why = f"{case.asked} answered" + (f": {outcome}" if outcome else "")
        self._record(at, actor, StepKind.CASE_ANSWERED, reason=why, text=answer, case=case_type)
        self._run_case_event(case, CaseEvent.ANSWERED, at, why)
        if outcome is not None and case.active:
            self._run_case_event(case, f"{CaseEvent.ANSWERED}:{outcome}", at, why)

    def check_case_event(self, case_type: str, event: str) -> CaseRun:
        """The case an event is for; refuses events its playbook does not declare."""
        case = self.running_case(case_type)
        declared = self.policy.playbooks[case_type].events
        if event not in declared:
            raise CaseNotValid(
                f"{case_type}: unknown event {event!r}; known: {', '.join(declared) or 'none'}",
                "event",
            )
        return case

    def record_case_event(
        self, at: datetime, actor: Actor, case_type: str, event: str, note: str | None = None
    ) -> None:
        """Something happened on the case (a claim, a refusal, parts arrived): its playbook acts."""
        case = self.check_case_event(case_type, event)
        meaning = self.policy.playbooks[case_type].events[event]
        self._record(
            at, actor, StepKind.CASE_EVENT, reason=f"{event}: {meaning}", text=note, case=case_type
        )
        self._run_case_event(case, event, at, meaning)

    # --- playbook internals ----------------------------------------------------------------------

    def _case_due(self, at: datetime) -> None:
        """Act on the case moment due at `at`: a deadline passed, a follow-up, a scheduled event."""
        case = next(case for case in self.cases.values() if case.next_due() == at)
        if case.answer_due == at:
            case.answer_due = None
            why = f"{case.asked} did not answer in time"
            self._record(at, ENGINE, StepKind.CASE_SILENT, reason=why, case=case.case_type)
            self._run_case_event(case, CaseEvent.SILENT, at, why)
        elif case.promise_due == at:
            case.promise_due = None
            why = f"the promise to the customer ({case.promise}) was not kept"
            self._record(at, ENGINE, StepKind.PROMISE_MISSED, reason=why, case=case.case_type)
            self._run_case_event(case, CaseEvent.PROMISE_MISSED, at, why)
        elif case.follow_ups and case.follow_ups[0].due == at:
            follow_up = case.follow_ups.pop(0)
            if follow_up.every is not None:
                due = self._after(at, follow_up.every)
                case.follow_ups.append(follow_up.model_copy(update={"due": due}))
                case.follow_ups.sort(key=lambda item: item.due)
            step = self._record(
                at, ENGINE, StepKind.FOLLOW_UP, reason=follow_up.text, case=case.case_type
            )
            self._notify_role(
                step,
                NotificationKind.CASE_TASK,
                follow_up.notify,
                follow_up.text,
                case,
                follow_up.text,
            )
        else:
            event = case.scheduled.pop(0).event
            why = f"scheduled {event}"
            self._record(at, ENGINE, StepKind.CASE_EVENT, reason=why, case=case.case_type)
            self._run_case_event(case, event, at, why)

    def _run_case_event(self, case: CaseRun, event: str, at: datetime, why: str) -> None:
        playbook = self.policy.playbooks[case.case_type]
        for action in playbook.actions_for(event, case.fields):
            if case.active:
                self._apply_case_action(case, action, at, f"{event}: {why}")

    def _apply_case_action(self, case: CaseRun, action: CaseAction, at: datetime, why: str) -> None:
        kind = case.case_type
        if action.ask:
            case.asked = action.ask
            case.answer_due = self._after(at, action.within) if action.within else None
            by = f" by {case.answer_due.isoformat()}" if case.answer_due else ""
            asked = self._contact_of(action.ask, case)[0]
            step = self._record(
                at,
                ENGINE,
                StepKind.CASE_ASKED,
                reason=f"asked {asked} ({action.ask}) to answer{by}",
                case=kind,
            )
            record = self._escalation_record(case, action.ask, at, why)
            self._notify_role(
                step, NotificationKind.CASE_REQUEST, action.ask, why, case, record=record
            )
        elif action.promise:
            start = case.date_field(action.since, self._zone) if action.since else at
            due = self._after(start, action.promise)
            case.promise = action.promise.text
            if due <= at:  # the wait was over before the case was flagged: nothing to keep
                told = f"the {action.promise} wait already ended at {due.isoformat()}"
                self._record(at, ENGINE, StepKind.CASE_PROMISED, reason=told, case=kind)
                return
            case.promise_due = due
            told = f"promised the customer {action.promise}: by {due.isoformat()}"
            step = self._record(at, ENGINE, StepKind.CASE_PROMISED, reason=told, case=kind)
            if action.tell:
                self._notify_customer(step, NotificationKind.CASE_PROMISE, case=case)
        elif action.escalate:
            self._escalate_case(case, action.escalate, at, why)
        elif action.follow_up:
            follow_up = action.follow_up
            case.follow_ups.append(
                PendingFollowUp(
                    due=self._after(at, follow_up.after),
                    every=follow_up.every,
                    notify=follow_up.notify,
                    text=follow_up.text,
                )
            )
            case.follow_ups.sort(key=lambda item: item.due)
        elif action.tell_customer:
            message = NotificationKind(action.tell_customer.value)
            text = self._customer_text(case, message)
            step = self._record(
                at, ENGINE, StepKind.CUSTOMER_TOLD, reason=message, text=text, case=kind
            )
            self._notify_customer(step, message, case=case, text=text)
        elif action.task:
            task = action.task
            step = self._record(at, ENGINE, StepKind.CASE_TASK, reason=task.text, case=kind)
            self._notify_role(step, NotificationKind.CASE_TASK, task.notify, why, case, task.text)
        elif action.handling:
            self.handling = action.handling
            record = self._escalation_record(case, action.handling.value, at, why)
            step = self._record(
                at,
                ENGINE,
                StepKind.REASSIGNED,
                reason=f"handled by the {action.handling.value}: {why}",
                case=kind,
                record=record,
            )
            self._notify_role(
                step,
                NotificationKind.CASE_ESCALATION,
                action.handling.value,
                why,
                case,
                record=record,
            )
        elif action.schedule:
            start = case.date_field(action.since, self._zone) if action.since else at
            due = max(self._after(start, action.schedule.after), at)
            case.scheduled.append(PendingEvent(due=due, event=action.schedule.event))
            case.scheduled.sort(key=lambda item: item.due)
        elif action.done:
            case.settle(at)
            self._record(at, ENGINE, StepKind.CASE_DONE, reason=why, case=kind)

    def _escalate_case(self, case: CaseRun, role: str, at: datetime, why: str) -> None:
        record = self._escalation_record(case, role, at, why)
        case.escalations.append(record)
        step = self._record(
            at,
            ENGINE,
            StepKind.CASE_ESCALATED,
            reason=f"escalated to {role}: {why}",
            case=case.case_type,
            record=record,
        )
        self._notify_role(step, NotificationKind.CASE_ESCALATION, role, why, case, record=record)

    def _escalation_record(
        self, case: CaseRun, to: str, at: datetime, why: str
    ) -> EscalationRecord:
        customer = self.intake.customer
        description = "\n\n".join(filter(None, [self.intake.description, case.description]))
        return EscalationRecord(
            ticket=self.id,
            case_type=case.case_type,
            case_title=case.title,
            escalated_to=to,
            at=at,
            why=why,
            customer_name=customer.name,
            customer_email=customer.email,
            customer_phone=customer.phone,
            product=self.intake.product,
            description=description or self.intake.reason,
            fields=case.fields,
            promise=case.promise,
            promise_due=case.promise_due,
            asked=case.asked,
            answer=case.answer,
        )

    def _customer_text(self, case: CaseRun, message: NotificationKind) -> str | None:
        """What a playbook's customer message needs besides the template: an answer, contacts."""
        if message is NotificationKind.NOT_COVERED:
            return case.answer
        if message is NotificationKind.RETAILER_CONTACTS:
            name, contact = self._contact_of("retailer", case)
            return f"{name}: {contact.email}" if contact else name
        return None
