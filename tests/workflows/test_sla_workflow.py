"""SLA pauses, warnings and business-time windows in the running workflow (time-skipping)."""

from datetime import datetime, time, timedelta

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.calendars import business_calendar_for
from domain.calendar import BusinessCalendar
from domain.commands import Pause, Resume
from domain.history import StepKind
from domain.status import ComplaintStatus
from harness.mailbox import Mailbox
from harness.samples import AGENT, SEED_MATRIX, with_policy
from harness.waiting import eventually
from tests.support.actions import send
from tests.support.workflows import StartComplaint, view_when
from workflows.complaint import ComplaintWorkflow

H = timedelta(hours=1)
DESK = SEED_MATRIX.level(1).contacts.email


async def test_pause_and_resume_keep_exactly_the_time_left(
    env: WorkflowEnvironment, worker: Worker, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint()
    await env.sleep(10 * H)
    paused = await send(handle, Pause(by=AGENT, reason="asked for the invoice"))
    assert (paused.status, paused.deadline) == (ComplaintStatus.PAUSED, None)
    await env.sleep(100 * H)  # far past the 48 h: nothing happens while paused
    resumed = await send(handle, Resume(by=AGENT, reason="invoice received"))
    pause_step, resume_step = (
        s for s in resumed.history if s.kind in (StepKind.PAUSED, StepKind.RESUMED)
    )
    used = pause_step.at - resumed.opened_at
    assert resumed.deadline == resume_step.at + (48 * H - used)
    assert (resumed.level, pause_step.reason, resume_step.reason) == (
        1,
        "asked for the invoice",
        "invoice received",
    )

    await env.sleep(48 * H - used + H)
    escalated = await view_when(handle, lambda v: v.level == 2)
    breach = next(s for s in escalated.history if s.kind is StepKind.BREACHED)
    assert breach.at == resumed.deadline


async def test_warnings_reach_the_owner_before_the_breach(
    env: WorkflowEnvironment, worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint(policy=with_policy(warnings=["50%", "75%"]))
    await env.sleep(37 * H)
    view = await view_when(handle, lambda v: sum(s.kind is StepKind.WARNED for s in v.history) == 2)
    assert [s.at - view.opened_at for s in view.history if s.kind is StepKind.WARNED] == [
        24 * H,
        36 * H,
    ]
    await eventually(lambda: len(mailbox.to(DESK)) == 3)  # assigned + two reminders
    subjects = [str(m["Subject"]) for m in mailbox.to(DESK)[1:]]
    assert all("reminder: Grievance Desk must resolve by" in subject for subject in subjects)
    assert view.level == 1


async def test_a_business_hours_window_runs_in_the_country_calendar(
    env: WorkflowEnvironment, worker: Worker, start_complaint: StartComplaint
) -> None:
    policy = with_policy(
        levels=[
            {**SEED_MATRIX.level(1).model_dump(), "resolution_window": "9 business hours"},
            *[level.model_dump() for level in SEED_MATRIX.levels[1:]],
        ]
    )
    now = datetime.fromisoformat("2026-11-23T00:00:00+00:00")
    calendar = business_calendar_for(policy, "MX", now.date())
    assert isinstance(calendar, BusinessCalendar) and calendar.day_start == time(9)
    handle = await start_complaint(policy=policy, calendar=calendar)
    view = await handle.query(ComplaintWorkflow.view)
    # one working day's worth, whatever the test server's clock says today is
    deadline = calendar.add_business_time(view.opened_at, 9 * H)
    assert view.deadline == deadline
    assert calendar.is_working_moment(deadline)

    await env.sleep(deadline - view.opened_at + H)
    escalated = await view_when(handle, lambda v: v.level == 2)
    breach = next(s for s in escalated.history if s.kind is StepKind.BREACHED)
    assert breach.at == deadline
