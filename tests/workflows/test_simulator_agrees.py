"""The workflow really does what `complaints simulate` prints: same timeline, same moments."""

import shlex
from datetime import datetime, timedelta
from typing import Any

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.calendars import business_calendar_for
from domain.cases import CaseFlag
from domain.commands import (
    AddNote,
    FlagCase,
    Pause,
    RecordContact,
    Reopen,
    RequestSupervisor,
    Resume,
    SupervisorJoined,
)
from domain.history import ENGINE, Actor, ActorRole, Step, StepKind
from domain.policy_files import load_policy_set
from domain.simulation import InputEvent, simulate, timeline
from domain.view import ComplaintView
from harness.mailbox import Mailbox
from harness.samples import AGENT, CUSTOMER, POLICY_DIR, sample_intake
from harness.waiting import eventually
from tests.support.actions import answer, propose, send
from tests.support.workflows import ComplaintHandle, StartComplaint, view_when
from workflows.complaint import ComplaintWorkflow

H = timedelta(hours=1)
POLICIES = load_policy_set(POLICY_DIR)


_ACTION_OF_STEP = {
    StepKind.PAUSED: "pause",
    StepKind.RESUMED: "resume",
    StepKind.RESOLUTION_PROPOSED: "propose",
    StepKind.ACCEPTED: "accept",
    StepKind.REJECTED: "reject",
    StepKind.NOTE_ADDED: "note",
    StepKind.REOPENED: "reopen",
    StepKind.CONTACTED: "contact",
    StepKind.SUPERVISOR_REQUESTED: "supervisor",
    StepKind.SUPERVISOR_JOINED: "supervisor_joined",
    StepKind.CASE_OPENED: "flag",
    StepKind.CASE_ANSWERED: "answer",
    StepKind.CASE_EVENT: "case",
}


def people_s_actions(view: ComplaintView) -> list[InputEvent]:
    """What people did to the workflow, as simulator input events."""
    return [
        InputEvent(at=step.at, action=_ACTION_OF_STEP[step.kind], text=_input_text(view, step))
        for step in view.history
        if step.actor != ENGINE and step.kind in _ACTION_OF_STEP
    ]


def _input_text(view: ComplaintView, step: Step) -> str | None:
    case = next((case for case in view.cases if case.case_type == step.case), None)
    match step.kind:
        case StepKind.CONTACTED:
            return step.text
        case StepKind.CASE_OPENED if case:
            return shlex.join([case.case_type, *(f"{k}={v}" for k, v in case.fields.items())])
        case StepKind.CASE_ANSWERED if case:
            outcome = [f"outcome={case.outcome}"] if case.outcome else []
            return shlex.join([case.case_type, *outcome, step.text or ""])
        case StepKind.CASE_EVENT if case:
            return shlex.join([case.case_type, (step.reason or "").split(":")[0]])
        case _:
            return step.reason or step.text


async def assert_simulator_agrees(
    env: WorkflowEnvironment, handle: ComplaintHandle, **start: Any
) -> None:
    view = await handle.query(ComplaintWorkflow.view)
    now = await env.get_current_time()
    policy, calendar = start["policy"], start.get("calendar")
    real = timeline(view.history, policy, calendar)
    simulated = simulate(
        sample_intake(), policy, calendar, view.opened_at, people_s_actions(view), until=now
    )
    as_rows = lambda entries: [(e.at, e.level, e.event, e.case, e.reason) for e in entries]  # noqa: E731
    assert as_rows(real) == as_rows(simulated)
    assert len(real) >= 5


async def test_no_action_ladder_matches(
    env: WorkflowEnvironment, worker: Worker, start_complaint: StartComplaint
) -> None:
    start = {"policy": POLICIES.for_brand("xiaomi-in")}
    handle = await start_complaint(**start)
    for hours in (47, 2, 24, 12, 5):
        await env.sleep(hours * H)
    await view_when(handle, lambda v: any(s.kind is StepKind.REALERTED for s in v.history))
    await assert_simulator_agrees(env, handle, **start)


async def test_pauses_rejection_and_business_days_match(
    env: WorkflowEnvironment, worker: Worker, start_complaint: StartComplaint
) -> None:
    policy = POLICIES.for_brand("delonghi-mx")
    start = {
        "policy": policy,
        "calendar": business_calendar_for(policy, "MX", datetime.now().date()),
    }
    handle = await start_complaint(**start)
    await env.sleep(5 * H)
    await send(handle, Pause(by=AGENT, reason="asked for photos"))
    await env.sleep(30 * H)
    await send(handle, Resume(by=AGENT, reason="photos in"))
    await send(handle, AddNote(by=AGENT, text="called the centre"))
    await env.sleep(20 * H)
    await propose(handle, "replacement unit")
    await env.sleep(2 * H)
    await answer(handle, "reject", "wants a refund")
    await env.sleep(9 * 24 * H)
    await view_when(handle, lambda v: v.level == 3)
    await assert_simulator_agrees(env, handle, **start)


async def test_a_promise_holding_the_level_and_a_new_round_at_the_top_match(
    env: WorkflowEnvironment, worker: Worker, start_complaint: StartComplaint
) -> None:
    """Seed 003, case 2: "solicitando un tiempo de espera de 15 a 20 días": no L1 breach at 72 h
    while the promise runs; at its end the case and the level escalate. Seed 001, "Customers can
    expect a response within 12 hours": rejected at the top, a fresh round there is a step."""
    policy = POLICIES.for_brand("delonghi-mx")
    start = {
        "policy": policy,
        "calendar": business_calendar_for(policy, "MX", datetime.now().date()),
    }
    handle = await start_complaint(**start)
    fields = {"service_centre": "SAT Norte", "service_order": "SO-1", "part": "bomba"}
    flag = CaseFlag(case_type="parts_unavailable", fields=fields)
    await send(handle, FlagCase(by=AGENT, flag=flag))
    await env.sleep(4 * 24 * H)
    view = await handle.query(ComplaintWorkflow.view)
    assert view.level == 1 and view.held_by is not None and view.deadline is not None
    assert not [step for step in view.history if step.kind is StepKind.BREACHED]
    await env.sleep(17 * 24 * H)
    await view_when(handle, lambda v: v.level == 2)
    await propose(handle, "loan unit")
    await answer(handle, "reject", "still no parts")
    await view_when(handle, lambda v: v.level == 3)
    await propose(handle, "new unit")
    await answer(handle, "reject", "wants a refund")
    await view_when(handle, lambda v: any(s.kind is StepKind.NEW_ROUND for s in v.history))
    await assert_simulator_agrees(env, handle, **start)


async def test_resolution_reopen_and_closing_match(
    env: WorkflowEnvironment, worker: Worker, start_complaint: StartComplaint
) -> None:
    start = {"policy": POLICIES.for_brand(None)}
    handle = await start_complaint(**start)
    await env.sleep(50 * H)
    await propose(handle)
    await env.sleep(H)
    await answer(handle, "accept")
    await env.sleep(2 * 24 * H)
    await send(handle, Reopen(by=CUSTOMER, reason="broke again"))
    await env.sleep(3 * H)
    await propose(handle)
    await env.sleep(15 * 24 * H)  # no answer: it stands after 14 days, then 7 days to close
    await env.sleep(8 * 24 * H)
    final = await handle.result()
    assert final.status == "closed"
    await assert_simulator_agrees(env, handle, **start)


async def test_repeat_contacts_and_a_supervisor_call_match(
    env: WorkflowEnvironment, worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    start = {"policy": POLICIES.for_brand(None)}
    handle = await start_complaint(**start)
    await env.sleep(H)
    customer = Actor(role=ActorRole.CUSTOMER, name="Asha")
    await send(handle, RecordContact(by=customer))
    await send(handle, RequestSupervisor(by=AGENT, reason="wants a refund"))
    await env.sleep(timedelta(minutes=6))
    await send(
        handle,
        SupervisorJoined(by=Actor(role=ActorRole.SUPERVISOR, name="Ana")),
    )
    await env.sleep(H)
    await send(handle, RecordContact(by=customer, note="third call"))
    await env.sleep(50 * H)
    view = await view_when(handle, lambda v: v.level == 2)
    assert (view.contacts, view.handling) == (3, "team_leader")

    roles = POLICIES.for_brand(None).roles
    await eventually(lambda: mailbox.to(roles["team_leader"].email))
    urgent = mailbox.to(roles["supervisor"].email)
    assert [str(m["Subject"]).split(" [")[0] for m in urgent] == ["URGENT"]
    reminders = mailbox.to(roles["agent"].email)
    assert len(reminders) == 2  # at 2.5 and 5 minutes; none after the supervisor joined
    assert (
        len(mailbox.to(roles["complaint_specialists"].email)) == 2
    )  # 2nd contact, then told at 3rd
    await assert_simulator_agrees(env, handle, **start)
