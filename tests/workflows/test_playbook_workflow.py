"""Playbooks in the running workflow: real timers, real SMTP, the simulator's timeline."""

from datetime import datetime, timedelta

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.calendars import business_calendar_for
from domain.cases import CaseFlag
from domain.commands import AnswerCase, FlagCase, RecordCaseEvent
from domain.history import StepKind
from harness.mailbox import Mailbox
from harness.samples import AGENT, CUSTOMER_EMAIL
from harness.waiting import eventually
from tests.support.actions import send
from tests.support.workflows import ComplaintHandle, StartComplaint, view_when
from tests.workflows.test_simulator_agrees import POLICIES, assert_simulator_agrees

H = timedelta(hours=1)
POLICY = POLICIES.for_brand("delonghi-mx")
CENTRE = {"service_centre": "SAT Norte", "service_order": "SO-1"}
SAT_NORTE = POLICY.directory["service_centre"]["SAT Norte"].email
SUPERVISOR = POLICY.roles["supervisor"].email
AGENTS = POLICY.roles["agent"].email


def start_options() -> dict[str, object]:
    return {
        "policy": POLICY,
        "calendar": business_calendar_for(POLICY, "MX", datetime.now().date()),
    }


async def flag(handle: ComplaintHandle, case_type: str, **fields: str) -> None:
    await send(
        handle,
        FlagCase(by=AGENT, flag=CaseFlag(case_type=case_type, fields=fields)),
    )


def subjects(mailbox: Mailbox, address: str) -> list[str]:
    return [str(message["Subject"]) for message in mailbox.to(address)]


async def test_a_silent_centre_escalates_to_the_supervisor_with_the_record_then_weekly_follow_ups(
    env: WorkflowEnvironment, worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint(**start_options())
    await env.sleep(H)
    await flag(handle, "no_diagnosis", **CENTRE)
    await eventually(lambda: mailbox.to(SAT_NORTE))
    assert "favor de responder" in subjects(mailbox, SAT_NORTE)[0]
    await eventually(
        lambda: any("nuestro siguiente paso" in s for s in subjects(mailbox, CUSTOMER_EMAIL))
    )

    await env.sleep(72 * H)
    view = await view_when(handle, lambda v: v.cases[0].escalations)
    record = view.cases[0].escalations[0]
    assert (record.escalated_to, record.fields) == ("supervisor", CENTRE)
    await eventually(lambda: any("escalada a usted" in s for s in subjects(mailbox, SUPERVISOR)))
    escalation = next(m for m in mailbox.to(SUPERVISOR) if "escalada a usted" in m["Subject"])
    body = escalation.get_content()
    assert f"Folio: {view.id}" in body and "Centro de servicio: SAT Norte" in body

    await env.sleep(7 * 24 * H)
    await view_when(handle, lambda v: any(s.kind is StepKind.FOLLOW_UP for s in v.history))
    await eventually(lambda: any("pendiente:" in s for s in subjects(mailbox, AGENTS)))
    await assert_simulator_agrees(env, handle, **start_options())


async def test_the_centre_s_answer_stops_its_clock(
    env: WorkflowEnvironment, worker: Worker, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint(**start_options())
    await flag(handle, "no_diagnosis", **CENTRE)
    await env.sleep(H)
    await send(
        handle,
        AnswerCase(by=AGENT, case_type="no_diagnosis", answer="Diagnosis: pump replaced"),
    )
    await env.sleep(80 * H)
    view = await view_when(handle, lambda v: v.level == 2)  # the ladder still climbs
    kinds = [step.kind for step in view.history if step.case]
    assert StepKind.PROMISE_MISSED not in kinds and StepKind.CASE_ESCALATED not in kinds
    assert kinds[-1] is StepKind.CASE_DONE
    await assert_simulator_agrees(env, handle, **start_options())


async def test_an_injury_claim_and_a_refusing_centre_act_at_once(
    env: WorkflowEnvironment, worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint(**start_options())
    await flag(handle, "injury_or_damage")
    await env.sleep(H)
    await send(
        handle,
        RecordCaseEvent(by=AGENT, case_type="injury_or_damage", event="claim", note="demanda"),
    )
    await eventually(lambda: any("seguridad" in s for s in subjects(mailbox, CUSTOMER_EMAIL)))
    await flag(handle, "unit_returned_damaged", packing="bolsa", **CENTRE)
    await env.sleep(H)
    await send(
        handle,
        AnswerCase(
            by=AGENT, case_type="unit_returned_damaged", answer="no es nuestro", outcome="refused"
        ),
    )
    view = await view_when(handle, lambda v: sum(len(case.escalations) for case in v.cases) == 2)
    assert [case.case_type for case in view.cases] == ["injury_or_damage", "unit_returned_damaged"]
    await eventually(
        lambda: len([s for s in subjects(mailbox, SUPERVISOR) if "escalada" in s]) == 2
    )
    await env.sleep(9 * 24 * H)  # the 3-5 business day promise runs out, weekends included
    await view_when(handle, lambda v: any(s.kind is StepKind.PROMISE_MISSED for s in v.history))
    await assert_simulator_agrees(env, handle, **start_options())
