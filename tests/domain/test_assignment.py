"""Who holds a complaint: take, give and release, and escalation letting it go."""

import pytest

from domain.assignment import Give, Release, Take
from domain.commands import AddNote, Escalate, ProposeResolution
from domain.complaint import Complaint
from domain.history import ENGINE, Actor, ActorRole, Assignee, StepKind
from domain.ladder import advance
from domain.messages import NotificationKind
from domain.outbox import take_outbox
from domain.status import ActionNotAllowed, ComplaintStatus
from domain.view import for_customer, view_of
from harness.samples import AGENT
from tests.domain.test_complaint_lifecycle import T0, H, open_sample

PRIYA = Assignee(sub="priya", name="Priya")
RAVI = Assignee(sub="ravi", name="Ravi")
RAVI_ACTOR = Actor(role=ActorRole.AGENT, name="Ravi")
ANA = Actor(role=ActorRole.SUPERVISOR, name="Ana")


def take(by: Actor = AGENT, sub: str = "priya") -> Take:
    return Take(by=by, by_sub=sub)


def test_an_agent_takes_an_unheld_complaint_and_the_history_says_so() -> None:
    complaint = open_sample()
    take().act(complaint, T0 + H)
    assert complaint.assignee == PRIYA
    step = complaint.history[-1]
    assert (step.kind, step.actor, step.reason, step.assignee) == (
        StepKind.ASSIGNED,
        AGENT,
        "taken by Priya",
        PRIYA,
    )
    assert view_of(complaint).assignee == PRIYA


def test_an_agent_cannot_take_what_someone_holds_but_a_supervisor_takes_it_over() -> None:
    complaint = open_sample()
    take().act(complaint, T0)
    with pytest.raises(ActionNotAllowed, match="you hold it already"):
        take().act(complaint, T0)
    with pytest.raises(ActionNotAllowed, match="Priya holds it"):
        take(RAVI_ACTOR, "ravi").act(complaint, T0)
    take(ANA, "ana").act(complaint, T0)
    assert complaint.assignee == Assignee(sub="ana", name="Ana")
    assert complaint.history[-1].reason == "taken by Ana from Priya"


def test_people_are_told_apart_by_sub_not_by_name() -> None:
    complaint = open_sample()
    take(AGENT, "priya.s").act(complaint, T0)
    with pytest.raises(ActionNotAllowed, match="Priya holds it"):
        take(AGENT, "priya.k").act(complaint, T0)  # another Priya


def test_an_agent_gives_only_what_they_hold() -> None:
    complaint = open_sample()
    with pytest.raises(ActionNotAllowed, match="nobody holds it; take it first"):
        Give(by=AGENT, by_sub="priya", assignee=RAVI).act(complaint, T0)
    take().act(complaint, T0)
    Give(by=AGENT, by_sub="priya", assignee=RAVI).act(complaint, T0 + H)
    assert complaint.assignee == RAVI
    assert complaint.history[-1].reason == "given to Ravi by Priya"
    with pytest.raises(ActionNotAllowed, match="an agent gives only what they hold"):
        Give(by=AGENT, by_sub="priya", assignee=PRIYA).act(complaint, T0)
    with pytest.raises(ActionNotAllowed, match="Ravi holds it already"):
        Give(by=RAVI_ACTOR, by_sub="ravi", assignee=RAVI).act(complaint, T0)


def test_a_supervisor_gives_any_complaint_to_anyone() -> None:
    complaint = open_sample()
    Give(by=ANA, by_sub="ana", assignee=PRIYA).act(complaint, T0)
    Give(by=ANA, by_sub="ana", assignee=RAVI).act(complaint, T0 + H)
    assert complaint.assignee == RAVI
    assert [step.reason for step in complaint.history[-2:]] == [
        "given to Priya by Ana",
        "given to Ravi by Ana (held by Priya)",
    ]


def test_release_puts_it_back_in_the_owner_roles_queue() -> None:
    complaint = open_sample()
    with pytest.raises(ActionNotAllowed, match="nobody holds it; it is in the grievance_desk"):
        Release(by=AGENT, by_sub="priya").act(complaint, T0)
    take().act(complaint, T0)
    with pytest.raises(ActionNotAllowed, match="Priya holds it; only they, a supervisor"):
        Release(by=RAVI_ACTOR, by_sub="ravi").act(complaint, T0)
    Release(by=AGENT, by_sub="priya").act(complaint, T0 + H)
    assert complaint.assignee is None
    step = complaint.history[-1]
    assert (step.kind, step.reason, step.assignee) == (
        StepKind.RELEASED,
        "released by Priya: back to the grievance_desk queue",
        PRIYA,
    )
    take().act(complaint, T0 + 2 * H)
    Release(by=ANA, by_sub="ana").act(complaint, T0 + 3 * H)
    assert complaint.history[-1].reason == (
        "released by Ana for Priya: back to the grievance_desk queue"
    )


def test_nobody_takes_a_resolved_complaint_but_it_can_be_released() -> None:
    complaint = open_sample()
    take().act(complaint, T0)
    ProposeResolution(by=AGENT, resolution="New unit").act(complaint, T0)
    advance(complaint, T0 + 15 * 24 * H)  # no answer: the proposal stands
    assert complaint.status is ComplaintStatus.RESOLVED
    with pytest.raises(ActionNotAllowed, match="cannot take: the complaint is resolved"):
        take(ANA, "ana").act(complaint, T0 + 15 * 24 * H)
    Release(by=AGENT, by_sub="priya").act(complaint, T0 + 15 * 24 * H)
    assert complaint.assignee is None


def test_escalation_lets_go_of_the_complaint_and_says_so() -> None:
    complaint = open_sample()
    take().act(complaint, T0)
    Escalate(by=ANA, reason="Threatens to go to the press").act(complaint, T0 + H)
    assert complaint.assignee is None
    released, escalated = complaint.history[-2:]
    assert (released.kind, released.actor, released.level, released.assignee) == (
        StepKind.RELEASED,
        ENGINE,
        1,
        PRIYA,
    )
    assert released.reason == (
        "Priya no longer holds it: escalated to L2 (Head of Customer Service), where the "
        "head_of_customer_service queue takes over"
    )
    assert (escalated.kind, escalated.level) == (StepKind.ESCALATED, 2)


def test_a_breach_escalates_and_lets_go_too_and_an_unheld_escalation_records_no_release() -> None:
    complaint = open_sample()
    take().act(complaint, T0)
    advance(complaint, T0 + 72 * H)  # L1 breaches at 48 h, L2 at 72 h
    kinds = [step.kind for step in complaint.history if step.kind is not StepKind.WARNED]
    assert kinds[-5:] == [
        StepKind.BREACHED,
        StepKind.RELEASED,
        StepKind.ESCALATED,
        StepKind.BREACHED,
        StepKind.ESCALATED,  # nobody held it at level 2: nothing to release
    ]
    assert complaint.assignee is None


def test_assignment_is_the_desks_business_not_the_customers() -> None:
    complaint = open_sample()
    take().act(complaint, T0)
    Release(by=AGENT, by_sub="priya").act(complaint, T0)
    take().act(complaint, T0)
    seen = for_customer(view_of(complaint))
    assert seen.assignee is None
    assert {step.kind for step in seen.history}.isdisjoint({StepKind.ASSIGNED, StepKind.RELEASED})


def test_assignment_sends_nothing_even_at_the_third_level() -> None:
    """Seed 004 texts the third-level manager every change of the complaint; who holds it is
    not one."""
    complaint = open_sample()
    complaint.handling = complaint.handling.THIRD_LEVEL
    take_outbox(complaint)
    take().act(complaint, T0)
    Give(by=AGENT, by_sub="priya", assignee=RAVI).act(complaint, T0)
    Release(by=ANA, by_sub="ana").act(complaint, T0)
    assert take_outbox(complaint) == []
    AddNote(by=AGENT, text="Called the customer.").act(complaint, T0)  # a change: texted
    assert [n.kind for n in take_outbox(complaint)] == [NotificationKind.STATUS_UPDATE]


def test_a_complaint_carried_before_assignment_existed_loads_with_nobody_holding_it() -> None:
    carried = open_sample().model_dump(mode="json")
    del carried["assignee"]
    for step in carried["history"]:
        del step["assignee"]
    assert Complaint.model_validate(carried).assignee is None
