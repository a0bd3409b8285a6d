"""Record workflow histories for the replay test: `python -m tests.replay.histories.record`.

Run it when a new workflow version ships, and keep the files of every older version: the replay
test proves running complaints of each version still replay on the current code.
"""

import asyncio
import contextlib
import hashlib
import uuid
from datetime import date, timedelta
from pathlib import Path

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.channels import ChannelSettings
from activities.email import SmtpSettings
from api.calendars import business_calendar_for
from domain.calendar import BusinessCalendar
from domain.cases import CaseFlag
from domain.commands import (
    AddNote,
    ApproveReply,
    FlagCase,
    MarkHighFrequency,
    Pause,
    RecordCaseEvent,
    RecordContact,
    Reopen,
    RequestSupervisor,
    Resume,
    Take,
)
from domain.policy import EscalationPolicy
from domain.policy_files import load_policy_set
from harness.mailbox import Mailbox, free_port
from harness.samples import (
    AGENT,
    CUSTOMER,
    CUSTOMER_EMAIL,
    POLICY_DIR,
    SEED_MATRIX,
    sample_intake,
)
from harness.temporal import start_test_server
from tests.support.actions import answer, file_with_matter, propose, resolve, send
from tests.support.webhooks import WebhookReceiver
from tests.support.workflows import ComplaintHandle
from worker import build_worker
from workflows.codec import CodecKey, encrypted_data_converter
from workflows.complaint import ComplaintWorkflow
from workflows.ids import matter_workflow_id, workflow_id
from workflows.inputs import ComplaintStart

HERE = Path(__file__).parent
VERSION = "v13"
"""v1: the walking skeleton. v2: policy files, business calendars, warnings, pause/resume.
v3: playbooks, repeat contacts and supervisor calls, reply approval, assessment, decision
reminders (revision 3), and the matter workflow. v4: search attributes. v5: channels, fallback,
quiet hours and status texts (revision 4); continued_as_new: a run that starts from a
continued-as-new state (cases, contacts, a supervisor awaited) and continues as new again.
v6: customer contacts counted once per interval, staff texts spaced (revision 5). v7: payloads
encrypted (under `RECORDING_KEY`), unencrypted updates and signals refused, cancellation
refused. v8: the case journal (a write after each change, carried across continue-as-new) and
assignment (taken, then released by an escalation). v9: business days from outside working
hours count from the last close (revision 6). v10 (revision 7): a case's promise holds the level
clock, the customer is told of each escalation, staff mark a complaint high-frequency, tiers
never drop, a rejection at the top starts a recorded new round; the CRM feed and live events
are the journal's, not the workflow's. v11: journal writes are local activities (an ordinary
activity when the database does not take one within seconds); payloads compressed. v12: the
matter answers a new complaint's outcome in the task that starts it, with the instant it opens
at (the API builds the receipt), and starts it with its search attributes, which its first run
upserts only where they changed. v13 (revision 8): a new complaint records its release's
marker only; the workflow's earlier switches are implied by the revision; a new matter
(`MatterStart.revision` 2) records none."""
RECORDING_KEY = CodecKey("recording", hashlib.sha256(b"replay histories, not a secret").digest())
"""The key v7 and later histories are encrypted with, so the replay test can open them."""
H = timedelta(hours=1)
SAMPLE_CUSTOMER_ID = "cus_" + "0" * 32


async def ladder_then_accepted(env: WorkflowEnvironment, client: Client, task_queue: str) -> str:
    """No action through L3 and two re-alerts, then a resolution is accepted and the case closes."""
    handle = await _start(client, task_queue)
    for hours in (48, 24, 12, 4, 4):
        await env.sleep(hours * H)
    await propose(handle)
    await answer(handle, "accept")
    await handle.result()
    return handle.id


async def rejected_reopened_closed(
    env: WorkflowEnvironment, client: Client, task_queue: str
) -> str:
    """Rejected at L1 (to L2), accepted, reopened, a note, accepted again, closed."""
    handle = await _start(client, task_queue)
    await env.sleep(5 * H)
    await propose(handle)
    await answer(handle, "reject", "Not good enough")
    await propose(handle)
    await answer(handle, "accept")
    await send(handle, Reopen(by=CUSTOMER, reason="Broke again"))
    await propose(handle)
    await answer(handle, "accept")
    await handle.result()
    return handle.id


async def delonghi_paused_rejected_escalated(
    env: WorkflowEnvironment, client: Client, task_queue: str
) -> str:
    """Business days, warnings, a pause over the weekend, a rejection, breaches to the top."""
    policy = load_policy_set(POLICY_DIR).for_brand("delonghi-mx")
    calendar = business_calendar_for(policy, "MX", date(2026, 11, 23))
    handle = await _start(client, task_queue, policy, calendar)
    await env.sleep(5 * H)
    await send(handle, Pause(by=AGENT, reason="photos"))
    await env.sleep(60 * H)
    await send(handle, Resume(by=AGENT, reason="photos in"))
    await propose(handle)
    await answer(handle, "reject", "Wants a refund")
    await env.sleep(20 * 24 * H)
    await propose(handle)
    await answer(handle, "accept")
    await handle.result()
    return handle.id


async def delonghi_playbooks_and_reviews(
    env: WorkflowEnvironment, client: Client, task_queue: str
) -> str:
    """Two playbooks (a silent centre, an injury claim), a third contact, an approved reply."""
    policy = load_policy_set(POLICY_DIR).for_brand("delonghi-mx")
    calendar = business_calendar_for(policy, "MX", date(2026, 11, 23))
    handle = await _start(client, task_queue, policy, calendar)
    centre = {"service_centre": "SAT Norte", "service_order": "SO-1"}
    await send(
        handle,
        FlagCase(by=AGENT, flag=CaseFlag(case_type="no_diagnosis", fields=centre)),
    )
    await env.sleep(73 * H)
    await send(handle, FlagCase(by=AGENT, flag=CaseFlag(case_type="injury_or_damage")))
    await send(
        handle,
        RecordCaseEvent(by=AGENT, case_type="injury_or_damage", event="claim"),
    )
    for _ in range(2):
        await send(handle, RecordContact(by=AGENT))
    await propose(handle)
    await send(handle, ApproveReply(by=AGENT))
    await env.sleep(11 * 24 * H)  # the decision reminder
    await answer(handle, "accept")
    await env.sleep(15 * 24 * H)
    await handle.result()
    return handle.id


async def delonghi_promise_held_high_frequency_new_round(
    env: WorkflowEnvironment, client: Client, task_queue: str
) -> str:
    """Parts unavailable: the 15-20 day promise holds L1 past its 72 h, then is missed; the
    customer is told of each escalation; marked high-frequency, two more contacts; rejected at
    the top (a new round), then accepted."""
    policy = load_policy_set(POLICY_DIR).for_brand("delonghi-mx")
    calendar = business_calendar_for(policy, "MX", date(2026, 11, 23))
    handle = await _start(client, task_queue, policy, calendar)
    parts = {"part": "bomba de agua", "service_centre": "SAT Norte", "service_order": "SO-7"}
    await send(
        handle,
        FlagCase(by=AGENT, flag=CaseFlag(case_type="parts_unavailable", fields=parts)),
    )
    await send(handle, MarkHighFrequency(by=AGENT, reason="Fourth complaint this year."))
    for _ in range(2):
        await send(handle, RecordContact(by=AGENT))
    await env.sleep(40 * 24 * H)  # past the promise, up the ladder to the top
    await propose(handle)
    await answer(handle, "reject", "Still broken")
    await propose(handle)
    await answer(handle, "accept")
    await handle.result()
    return handle.id


async def matter_filed_twice(env: WorkflowEnvironment, client: Client, task_queue: str) -> str:
    """Two filings about one matter (a repeat), the complaint closes, the window passes."""
    matter = f"mat_{uuid.uuid4().hex[:24]}"
    first = uuid.uuid4().hex[:16]
    for proposed in (first, uuid.uuid4().hex[:16]):
        await file_with_matter(client, task_queue, matter, proposed)
    await resolve(client, first)
    await env.sleep(40 * 24 * H)
    await client.get_workflow_handle(matter_workflow_id(matter)).result()
    return matter_workflow_id(matter)


async def channels_fallback_and_quiet_hours(
    env: WorkflowEnvironment, client: Client, task_queue: str
) -> tuple[str, str]:
    """The customer's email is refused (SMS instead), the desk's email is held for quiet hours
    through a continue-as-new, repeat contacts text the team leader and the third level."""
    now = await env.get_current_time()
    quiet = {
        "from": (now - H).strftime("%H:%M"),
        "to": (now + 2 * H).strftime("%H:%M"),
        "timezone": "UTC",
        "channels": ["email"],
    }
    roles = {role: contact.model_dump() for role, contact in SEED_MATRIX.roles.items()}
    policy = EscalationPolicy.model_validate(
        {
            **SEED_MATRIX.model_dump(),
            "roles": roles,
            "notifications": {"quiet_hours": {"grievance_desk": quiet}},
        }
    )
    REFUSED.add(CUSTOMER_EMAIL)
    handle = await _start(client, task_queue, policy, history_event_limit=30)
    first_run = handle.result_run_id or ""
    for _ in range(3):  # contacts 2, 3, 4: specialists, team leader, third level
        await send(handle, RecordContact(by=AGENT))
    await env.sleep(3 * H)
    await propose(handle)
    await answer(handle, "accept")
    await env.sleep(8 * 24 * H)
    await handle.result()
    REFUSED.discard(CUSTOMER_EMAIL)
    return handle.id, first_run


async def continued_as_new(
    env: WorkflowEnvironment, client: Client, task_queue: str
) -> tuple[str, str]:
    """Two playbooks, repeat contacts, a pause, a note, a warning and a supervisor awaited, then
    a continue-as-new: the run recorded is the second, which starts from that carried state,
    escalates, continues as new again, and (in later runs) is approved, accepted and closed."""
    policy = load_policy_set(POLICY_DIR).for_brand("delonghi-mx")
    calendar = business_calendar_for(policy, "MX", date(2026, 11, 23))
    handle = await _start(client, task_queue, policy, calendar, history_event_limit=CAN_LIMIT)
    centre = {"service_centre": "SAT Norte", "service_order": "SO-1"}
    for flag in (
        CaseFlag(case_type="no_diagnosis", fields=centre),
        CaseFlag(case_type="parts_unavailable", fields={**centre, "part": "Thermoblock"}),
    ):
        await send(handle, FlagCase(by=AGENT, flag=flag))
    for _ in range(2):  # contacts 2 and 3: specialists, then the team leader
        await send(handle, RecordContact(by=AGENT))
    await send(handle, Pause(by=AGENT, reason="photos"))
    await send(handle, Resume(by=AGENT, reason="photos in"))
    await send(handle, AddNote(by=AGENT, text="SAT Norte promised a call"))
    await env.sleep(40 * H)  # the 50% warning
    await send(handle, RequestSupervisor(by=AGENT, reason="Legal threat"))
    first_run = handle.result_run_id or ""
    await env.sleep(timedelta(minutes=10))  # hold reminders: the first continue-as-new
    first = await client.get_workflow_handle(handle.id, run_id=first_run).fetch_history()
    continued = first.events[-1]
    assert continued.HasField("workflow_execution_continued_as_new_event_attributes"), (
        f"the first run did not continue as new within {CAN_LIMIT} events"
    )
    second_run = continued.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
    await env.sleep(20 * 24 * H)  # breaches, promises missed, follow-ups, re-alerts
    await propose(handle)
    await send(handle, ApproveReply(by=AGENT))
    await answer(handle, "accept")
    await env.sleep(15 * 24 * H)
    await handle.result()
    return handle.id, second_run


async def writes_through_temporal_refused(
    env: WorkflowEnvironment, client: Client, task_queue: str
) -> str:
    """An unencrypted update and signal (refused) and a cancellation (recorded, refused), then
    the complaint resolves through sealed updates as usual."""
    handle = await _start(client, task_queue)
    keyless = Client(
        client.service_client, namespace=client.namespace, data_converter=pydantic_data_converter
    )
    plain = keyless.get_workflow_handle(handle.id)
    with contextlib.suppress(WorkflowUpdateFailedError):
        await plain.execute_update("add_note", AddNote(by=AGENT, text="from the UI"))
    await plain.signal("filed_again", {"start": {}, "by": {"role": "admin", "name": "x"}})
    await handle.cancel()
    await env.sleep(H)
    await resolve(client, handle.id.removeprefix("complaint-"))
    await handle.result()
    return handle.id


async def taken_then_escalated(env: WorkflowEnvironment, client: Client, task_queue: str) -> str:
    """An agent takes the complaint; the L1 breach escalates it, which releases it; accepted."""
    handle = await _start(client, task_queue)
    await send(handle, Take(by=AGENT, by_sub="priya"))
    await env.sleep(48 * H)
    await resolve(client, handle.id.removeprefix("complaint-"))
    await handle.result()
    return handle.id


SCENARIOS = (
    ladder_then_accepted,
    rejected_reopened_closed,
    delonghi_paused_rejected_escalated,
    delonghi_playbooks_and_reviews,
    matter_filed_twice,
    channels_fallback_and_quiet_hours,
    writes_through_temporal_refused,
    taken_then_escalated,
    continued_as_new,
    delonghi_promise_held_high_frequency_new_round,
)
CAN_LIMIT = 165
"""`continued_as_new`'s history event limit: past the first run's setup (~150 events), reached
within its hold reminders (~13 events each), so the carried state still awaits a supervisor."""
REFUSED: set[str] = set()
"""Addresses the recording mail server refuses (550)."""


async def _start(
    client: Client,
    task_queue: str,
    policy: EscalationPolicy = SEED_MATRIX,
    calendar: BusinessCalendar | None = None,
    history_event_limit: int = 10_000,
) -> ComplaintHandle:
    complaint_id = uuid.uuid4().hex[:16]
    return await client.start_workflow(
        ComplaintWorkflow.run,
        ComplaintStart(
            complaint_id=complaint_id,
            intake=sample_intake(),
            policy=policy,
            calendar=calendar,
            customer_id=SAMPLE_CUSTOMER_ID,
            history_event_limit=history_event_limit,
            journal=True,
        ),
        id=workflow_id(complaint_id),
        task_queue=task_queue,
    )


async def main() -> None:
    mailbox = Mailbox(port=free_port(), refuse_recipient=lambda address: address in REFUSED)
    mailbox.start()
    sms_gateway = WebhookReceiver()
    sms_gateway.start()
    channels = ChannelSettings(sms_gateway=sms_gateway.url("/sms?:to={phone}"), sent_ledger=None)
    async with start_test_server(encrypted_data_converter([RECORDING_KEY])) as env:
        task_queue = f"record-{uuid.uuid4()}"
        async with build_worker(env.client, SmtpSettings(port=mailbox.port), task_queue, channels):
            for scenario in SCENARIOS:
                target = HERE / f"{VERSION}-{scenario.__name__}.json"
                if target.exists():  # older versions' histories are never rewritten
                    print(f"kept {target.name}")
                    continue
                recorded = await scenario(env, env.client, task_queue)
                wf_id, run_id = recorded if isinstance(recorded, tuple) else (recorded, None)
                handle = env.client.get_workflow_handle(wf_id, run_id=run_id)
                history = await handle.fetch_history()
                target.write_text(history.to_json())
                print(f"wrote {target.relative_to(HERE.parents[2])} ({len(history.events)} events)")
    mailbox.stop()
    sms_gateway.stop()


if __name__ == "__main__":
    asyncio.run(main())
