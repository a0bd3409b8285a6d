"""Record workflow histories for the replay test: `python -m tests.histories.record`.

Run it when a new workflow version ships, and keep the files of every older version: the replay
test proves running complaints of each version still replay on the current code.
"""

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.email import SmtpSettings
from domain.commands import Reopen
from tests.actions import answer, propose
from tests.conftest import TEST_SERVER, ComplaintHandle
from tests.mailbox import Mailbox, free_port
from tests.samples import CUSTOMER, SEED_MATRIX, sample_intake
from worker import build_worker
from workflows.client import workflow_id
from workflows.complaint import ComplaintStart, ComplaintWorkflow

HERE = Path(__file__).parent
VERSION = "v1"
H = timedelta(hours=1)


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
    await handle.execute_update(ComplaintWorkflow.reopen, Reopen(by=CUSTOMER, reason="Broke again"))
    await propose(handle)
    await answer(handle, "accept")
    await handle.result()
    return handle.id


async def _start(client: Client, task_queue: str) -> ComplaintHandle:
    complaint_id = uuid.uuid4().hex[:16]
    return await client.start_workflow(
        ComplaintWorkflow.run,
        ComplaintStart(complaint_id=complaint_id, intake=sample_intake(), policy=SEED_MATRIX),
        id=workflow_id(complaint_id),
        task_queue=task_queue,
    )


async def main() -> None:
    mailbox = Mailbox(port=free_port())
    mailbox.start()
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEST_SERVER), data_converter=pydantic_data_converter
    )
    async with env:
        task_queue = f"record-{uuid.uuid4()}"
        async with build_worker(env.client, SmtpSettings(port=mailbox.port), task_queue):
            for scenario in (ladder_then_accepted, rejected_reopened_closed):
                wf_id = await scenario(env, env.client, task_queue)
                history = await env.client.get_workflow_handle(wf_id).fetch_history()
                target = HERE / f"{VERSION}-{scenario.__name__}.json"
                target.write_text(history.to_json())
                print(
                    f"wrote {target.relative_to(HERE.parent.parent)} ({len(history.events)} events)"
                )
    mailbox.stop()


if __name__ == "__main__":
    asyncio.run(main())
