"""A complaint filed: opened at level 1, or a repeat filing about the same matter."""

from datetime import datetime

from domain.behaviour import CURRENT, Switch, switched_on
from domain.calendar import BusinessCalendar
from domain.case_actions import FlagCase
from domain.cases import CaseFlag
from domain.command import REFUSALS
from domain.complaint import Complaint
from domain.history import ENGINE, Actor, StepKind
from domain.intake import ComplaintIntake
from domain.journal import record
from domain.messages import NotificationKind
from domain.outbox import notify_customer, notify_owner
from domain.policy import EscalationPolicy
from domain.repeat_contacts import RecordContact
from domain.resolution import Reopen
from domain.sla import SlaClock
from domain.status import ComplaintStatus


def open_complaint(
    complaint_id: str,
    intake: ComplaintIntake,
    policy: EscalationPolicy,
    at: datetime,
    calendar: BusinessCalendar | None = None,
    revision: int = CURRENT.revision,
    earlier_filings: int = 0,
) -> Complaint:
    """File a complaint at level 1: acknowledge the customer and tell the level's owner.

    `earlier_filings` about the same matter within the policy's repeat window count as
    contacts, so a customer who keeps coming back reaches specialists and managers.
    """
    complaint = Complaint(
        id=complaint_id,
        revision=revision,
        intake=intake,
        policy=policy,
        calendar=calendar,
        opened_at=at,
        clock=SlaClock.start(
            policy.level(1).resolution_window,
            at,
            calendar,
            from_last_working_moment=Switch.BUSINESS_DAYS_FROM_WORKING_TIME
            in switched_on(revision),
        ),
    )
    step = record(complaint, at, ENGINE, StepKind.OPENED, reason=f"filed via {intake.channel}")
    notify_customer(complaint, step, NotificationKind.ACKNOWLEDGEMENT)
    notify_owner(complaint, step, NotificationKind.ASSIGNED, reason="new complaint")
    if earlier_filings:
        complaint.contacts = earlier_filings
        note = f"{earlier_filings} earlier filing(s) about the same matter"
        RecordContact(by=ENGINE, note=note).act(complaint, at)
    if intake.case is not None:
        flag_filed_case(complaint, at, intake.case)
    return complaint


def flag_filed_case(complaint: Complaint, at: datetime, flag: CaseFlag) -> None:
    """Start a case the filing named; one that cannot start now is recorded, not lost."""
    try:
        FlagCase(by=ENGINE, flag=flag).act(complaint, at)
    except REFUSALS as err:
        record(complaint, at, ENGINE, StepKind.NOTE_ADDED, text=f"case not started: {err}")


def file_again(
    complaint: Complaint, at: datetime, actor: Actor, note: str | None, case: CaseFlag | None
) -> bool:
    """The customer filed about the same matter again: a repeat contact on this complaint.

    A resolved complaint is reopened first (the problem is back); a closed one cannot take
    it, and False says so.
    """
    if complaint.status is ComplaintStatus.CLOSED:
        return False
    if complaint.status is ComplaintStatus.RESOLVED:
        reason = "the customer filed about the same matter again"
        Reopen(by=actor, reason=reason).act(complaint, at)
    RecordContact(by=actor, note=note).act(complaint, at)
    if case is not None and case.case_type not in complaint.running_case_types:
        flag_filed_case(complaint, at, case)
    return True
