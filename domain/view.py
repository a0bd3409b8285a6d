"""What people see of a complaint: its level, owner, deadline and full history."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.assessment import AccountabilityRecord, Assessment
from domain.cases import CaseRun, LevelHold
from domain.complaint import Complaint
from domain.history import DELIVERY_STEPS, Assignee, Step, StepKind
from domain.intake import ComplaintIntake
from domain.playbooks import HandlingTier
from domain.status import CLOCK_RUNS, FOR_APPROVAL, ComplaintStatus
from domain.view_example import EXAMPLE_VIEW


class ComplaintView(BaseModel):
    """The live state shown to people: level, owner, deadline and the full history."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_VIEW]})

    id: str
    status: ComplaintStatus
    level: int
    level_name: str
    owner_role: str
    assignee: Assignee | None = Field(
        default=None,  # views saved before assignment (a child's result in a matter) still load
        description="Who holds it at this level (`take`, `give`); None: the owner role's queue. "
        "Escalation lets it go",
    )
    deadline: datetime | None = Field(
        description="When the current level breaches (later than its window while `held_by` "
        "a case's promise); None while paused"
    )
    held_by: LevelHold | None = Field(
        default=None,
        description="A case's promise to the customer (or the deadline its asked party was "
        "given) holding the level: `deadline` and `next_alert_at` wait until it ends",
    )
    sla_paused_remaining_seconds: float | None = Field(
        description="While the clock is stopped: exactly how much of the window is left"
    )
    breached: bool = Field(description="The current level's window has run out")
    next_alert_at: datetime | None
    decision_due_at: datetime | None
    reopen_until: datetime | None
    opened_at: datetime
    resolved_at: datetime | None
    pending_resolution: str | None
    contacts: int = Field(description="Contacts about the same matter, the filing included")
    handling: HandlingTier = Field(description="Who handles it, by the number of contacts")
    high_frequency: bool | None = Field(
        default=None,
        description="Staff marked the customer high-frequency: the policy's high-frequency tiers "
        "apply (seed 004); left out for the customer",
    )
    supervisor_requested_at: datetime | None = Field(
        description="Set while a customer waits on hold for a supervisor"
    )
    cases: list[CaseRun] = Field(description="Playbooks flagged on the complaint, oldest first")
    assessment: Assessment | None = Field(description="The third level's latest assessment")
    accountability: AccountabilityRecord | None
    policy_name: str
    policy_version: str
    intake: ComplaintIntake
    history: list[Step]


class Acknowledgement(BaseModel):
    """What a command's update answers: it took effect. Small on purpose: every answer stays in
    the workflow's history, so the view (which carries the whole history) is read by a query."""

    complaint_id: str
    status: ComplaintStatus
    level: int
    steps: int = Field(description="Steps in the history after the command")


def acknowledgement_of(complaint: Complaint) -> Acknowledgement:
    return Acknowledgement(
        complaint_id=complaint.id,
        status=complaint.status,
        level=complaint.level,
        steps=len(complaint.history),
    )


def view_of(complaint: Complaint) -> ComplaintView:
    """The live state shown to people."""
    level = complaint.current_level
    paused_left = None if complaint.clock.running else complaint.clock.window - complaint.clock.used
    return ComplaintView(
        id=complaint.id,
        status=complaint.status,
        level=complaint.level,
        level_name=level.name,
        owner_role=level.owner_role,
        assignee=complaint.assignee,
        deadline=complaint.deadline if complaint.status in CLOCK_RUNS else None,
        held_by=complaint.holding if complaint.status in CLOCK_RUNS else None,
        sla_paused_remaining_seconds=paused_left.total_seconds()
        if paused_left is not None
        else None,
        breached=complaint.next_alert_at is not None,
        next_alert_at=complaint.next_alert,
        decision_due_at=complaint.decision_due_at,
        reopen_until=complaint.reopen_until,
        opened_at=complaint.opened_at,
        resolved_at=complaint.resolved_at,
        pending_resolution=complaint.pending_resolution,
        contacts=complaint.contacts,
        handling=complaint.handling,
        high_frequency=complaint.high_frequency,
        supervisor_requested_at=complaint.supervisor_requested_at,
        cases=list(complaint.cases.values()),
        assessment=complaint.assessment,
        accountability=complaint.accountability,
        policy_name=complaint.policy.name,
        policy_version=complaint.policy.version,
        intake=complaint.intake,
        history=list(complaint.history),
    )


STAFF_ONLY_STEPS = DELIVERY_STEPS | frozenset(
    {
        StepKind.HOLD_REMINDER,
        StepKind.SUPERVISOR_MISSED,
        StepKind.REASSIGNED,
        StepKind.REPLY_APPROVED,
        StepKind.REPLY_REFUSED,
        StepKind.ASSESSED,
        StepKind.ACCOUNTABILITY_OPENED,
        StepKind.ASSIGNED,
        StepKind.RELEASED,
        StepKind.CASE_TASK,
        StepKind.FOLLOW_UP,
        StepKind.CASE_SILENT,
    }
)
"""Steps about the desk's own work: who was emailed or texted where, reviews, assessments, who
holds the complaint, a playbook's tasks and follow-ups for staff, a centre's silence."""


def _as_customer_reads(step: Step, titles: dict[str, str]) -> Step:
    """No escalation record; a case's opening by its title alone (its reason carries the
    playbook's first action, an instruction to staff, and its text the staff's description)."""
    if step.kind is StepKind.CASE_OPENED and step.case is not None:
        title = titles.get(step.case, step.case.replace("_", " "))
        return step.model_copy(update={"record": None, "reason": title, "text": None})
    return step.model_copy(update={"record": None})


def for_customer(view: ComplaintView) -> ComplaintView:
    """What the complaint's customer sees: no internal notes, no staff addresses or phones, no
    reviews or assessments, nor who holds it; escalation records stay with the staff they went
    to."""
    titles = {case.case_type: case.title for case in view.cases}
    history = [
        _as_customer_reads(step, titles)
        for step in view.history
        if not step.internal and step.kind not in STAFF_ONLY_STEPS and step.reason != FOR_APPROVAL
    ]
    cases = [case.model_copy(update={"escalations": []}) for case in view.cases]
    awaiting_approval = view.status is ComplaintStatus.AWAITING_APPROVAL
    return view.model_copy(
        update={
            "history": history,
            "cases": cases,
            "assessment": None,
            "accountability": None,
            "assignee": None,
            "high_frequency": None,
            "pending_resolution": None if awaiting_approval else view.pending_resolution,
        }
    )
