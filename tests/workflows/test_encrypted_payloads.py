"""Personal data never reaches the Temporal server in plain text, and the server's own tools
(the Web UI, the `temporal` CLI) cannot act on a complaint: only the API, holding the key, can.

Against a real dev server: raw history and describe output read with no key, a key rotation,
and writes sent with the Temporal CLI (updates, signals, a forged ciphertext, a cancellation).
"""

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from activities.email import SmtpSettings
from api.codec_server import CodecServerSettings
from domain.commands import AddNote
from domain.history import StepKind
from harness.codec import serve_codec_server
from harness.credentials import bearer
from harness.mailbox import Mailbox, free_port
from harness.samples import AGENT, CUSTOMER_EMAIL, SEED_MATRIX, sample_intake
from harness.temporal import DATA_CONVERTER, TEMPORAL_CLI, TEST_KEYS
from harness.waiting import eventually
from tests.support.actions import file_with_matter, send
from tests.support.workflows import ComplaintHandle
from worker import build_worker
from workflows.codec import KEY_ID, CodecKey, encrypted_data_converter
from workflows.complaint import ComplaintWorkflow
from workflows.connection import runtime_with_metrics
from workflows.ids import matter_workflow_id, workflow_id
from workflows.inputs import ComplaintStart
from workflows.sealed import REFUSED_WRITES_METRIC

INTAKE = sample_intake()
PERSONAL = [
    INTAKE.customer.name,
    CUSTOMER_EMAIL,
    "9812345678",
    "12 MG Road",
    INTAKE.description,
    INTAKE.product,
]
"""What a raw read of the server must never show: name, email, phone, address, free text."""
SUPERVISOR = bearer("supervisor", "sam")
STOPPED = -1
"""The return code of a CLI command stopped for taking too long."""


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Stack:
    client: Client
    task_queue: str
    metrics_port: int
    address: str

    def handle(self, complaint_id: str) -> ComplaintHandle:
        return self.client.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(complaint_id))

    async def cli(self, *args: str, within: float = 60) -> Ran:
        """The Temporal CLI as an operator runs it: with no payload key. (The worker shares
        this event loop: the CLI must not block it.) Stopped after `within` seconds."""
        process = await asyncio.create_subprocess_exec(
            str(TEMPORAL_CLI), *args, "--address", self.address, "--namespace", "default",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            async with asyncio.timeout(within):
                out, err = await process.communicate()
        except TimeoutError:
            process.kill()
            out, err = await process.communicate()
            return Ran(STOPPED, out.decode(), err.decode())
        return Ran(process.returncode or 0, out.decode(), err.decode())

    async def refused_writes(self) -> float:
        """The worker's `complaints_refused_writes` counter, summed over its labels."""
        async with httpx.AsyncClient() as http:
            answer = await http.get(f"http://127.0.0.1:{self.metrics_port}/metrics")
        lines = answer.text.splitlines()
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in lines
            if line.startswith(REFUSED_WRITES_METRIC) and not line.startswith("#")
        )


@pytest.fixture
async def stack(dev_env: WorkflowEnvironment, mailbox: Mailbox) -> AsyncIterator[Stack]:
    """A worker whose runtime exports Prometheus metrics, on the module's dev server."""
    address = dev_env.client.service_client.config.target_host
    metrics_port = free_port()
    runtime = runtime_with_metrics(f"127.0.0.1:{metrics_port}")
    client = await Client.connect(address, data_converter=DATA_CONVERTER, runtime=runtime)
    task_queue = f"tq-{uuid.uuid4()}"
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    async with build_worker(client, smtp, task_queue):
        yield Stack(client, task_queue, metrics_port, address)


async def filed(stack: Stack, mailbox: Mailbox) -> str:
    """A complaint filed as the API files it, acknowledged to the customer by email."""
    complaint_id = uuid.uuid4().hex[:16]
    await file_with_matter(stack.client, stack.task_queue, f"m-{complaint_id}", complaint_id)
    await eventually(lambda: mailbox.to(CUSTOMER_EMAIL))
    return complaint_id


async def raw_bytes(address: str, *workflow_ids: str) -> bytes:
    """Everything the server holds on these workflows, as a client with no key reads it."""
    keyless = await Client.connect(address)
    chunks: list[bytes] = []
    for wid in workflow_ids:
        handle = keyless.get_workflow_handle(wid)
        history = await handle.fetch_history()
        chunks += [event.SerializeToString() for event in history.events]
        chunks.append((await handle.describe()).raw_description.SerializeToString())
    return b"\n".join(chunks)


def payload_text(history_json: str) -> str:
    """The payloads' data in the CLI's JSON history (base64 there), as text."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("data"), str) and "metadata" in node:
                found.append(base64.b64decode(node["data"]).decode(errors="replace"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(history_json))
    return "\n".join(found)


async def test_the_server_holds_no_personal_data_in_plain_text(
    stack: Stack, mailbox: Mailbox
) -> None:
    complaint_id = await filed(stack, mailbox)
    handle = stack.handle(complaint_id)
    await send(handle, AddNote(by=AGENT, text="Called Asha Verma on +91 98123 45678"))
    view = await handle.query(ComplaintWorkflow.view)
    assert view.intake.customer.name == INTAKE.customer.name  # the key holder reads it all

    raw = await raw_bytes(
        stack.address, workflow_id(complaint_id), matter_workflow_id(f"m-{complaint_id}")
    )
    found = [text for text in [*PERSONAL, "Asha", "98123"] if text.encode() in raw]
    assert not found, f"in plain text on the server: {found}"
    assert f"{KEY_ID}".encode() in raw and TEST_KEYS[0].key_id.encode() in raw


async def test_an_older_key_still_decrypts_after_rotation(
    dev_env: WorkflowEnvironment, mailbox: Mailbox
) -> None:
    address = dev_env.client.service_client.config.target_host
    old, new = CodecKey.generate("2026-06"), CodecKey.generate("2026-12")
    task_queue = f"tq-{uuid.uuid4()}"
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    complaint_id = uuid.uuid4().hex[:16]

    before = await Client.connect(address, data_converter=encrypted_data_converter([old]))
    async with build_worker(before, smtp, task_queue):
        await file_with_matter(before, task_queue, f"m-{complaint_id}", complaint_id)
    after = await Client.connect(address, data_converter=encrypted_data_converter([new, old]))
    async with build_worker(after, smtp, task_queue):
        handle = after.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(complaint_id))
        view = await send(handle, AddNote(by=AGENT, text="after the rotation"))
    assert view.intake.customer.name == INTAKE.customer.name  # encrypted under the old key
    assert view.history[-1].text == "after the rotation"  # encrypted under the new key
    raw = await raw_bytes(address, workflow_id(complaint_id))
    assert b"2026-06" in raw and b"2026-12" in raw


async def test_writes_from_the_temporal_cli_are_refused_and_block_nothing(
    stack: Stack, mailbox: Mailbox
) -> None:
    complaint_id = await filed(stack, mailbox)
    wid, matter = workflow_id(complaint_id), matter_workflow_id(f"m-{complaint_id}")
    impostor = {"by": {"role": "admin", "name": "Head of Legal"}, "text": "written by legal"}
    filing = {"start": {"complaint_id": "x"}, "by": {"role": "admin", "name": "Head of Legal"}}

    update = await stack.cli(
        "workflow", "update", "execute", "--workflow-id", wid, "--name", "add_note",
        "--input", json.dumps(impostor),
    )  # fmt: skip
    assert update.returncode != 0
    assert "refused" in update.stderr and "not encrypted" in update.stderr, update.stderr
    forged = await stack.cli(
        "workflow", "update", "execute", "--workflow-id", wid, "--name", "escalate",
        "--input-meta", "encoding=binary/encrypted",
        "--input-meta", f"{KEY_ID}={TEST_KEYS[0].key_id}",
        "--input-base64", "--input", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    )  # fmt: skip
    assert forged.returncode != 0 and "does not authenticate" in forged.stderr, forged.stderr
    outcome = await stack.cli(
        "workflow", "update", "execute", "--workflow-id", matter, "--name", "outcome",
        "--input", json.dumps("never-filed"),
    )  # fmt: skip
    assert outcome.returncode != 0 and "refused" in outcome.stderr, outcome.stderr
    for target, name in [(wid, "filed_again"), (matter, "file"), (matter, "bounce")]:
        signal = await stack.cli(
            "workflow", "signal", "--workflow-id", target, "--name", name,
            "--input", json.dumps(filing),
        )  # fmt: skip
        assert signal.returncode == 0, signal.stderr  # the server takes it; the workflow refuses

    handle = stack.handle(complaint_id)
    view = await send(handle, AddNote(by=AGENT, text="through the API"))  # nothing is blocked
    assert [step.text for step in view.history if step.kind is StepKind.NOTE_ADDED] == [
        "through the API"
    ]
    assert [step.kind for step in view.history].count(StepKind.CONTACTED) == 0
    assert "Head of Legal" not in view.model_dump_json()

    async def counted() -> bool:
        return await stack.refused_writes() >= 6

    await eventually(counted)
    described = await stack.client.get_workflow_handle(matter).describe()
    assert described.status is WorkflowExecutionStatus.RUNNING


async def test_a_cancellation_request_is_recorded_and_refused(
    stack: Stack, mailbox: Mailbox
) -> None:
    complaint_id = await filed(stack, mailbox)
    matter = f"m-{complaint_id}"
    for target in (workflow_id(complaint_id), matter_workflow_id(matter)):
        cancel = await stack.cli("workflow", "cancel", "--workflow-id", target)
        assert cancel.returncode == 0, cancel.stderr
    handle = stack.handle(complaint_id)

    async def refusal_recorded() -> bool:
        view = await handle.query(ComplaintWorkflow.view)
        return any(step.kind is StepKind.CANCEL_REFUSED for step in view.history)

    await eventually(refusal_recorded)
    view = await send(handle, AddNote(by=AGENT, text="still here"))
    refused = next(step for step in view.history if step.kind is StepKind.CANCEL_REFUSED)
    assert refused.internal and "refused" in (refused.reason or "")
    assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
    again = await file_with_matter(stack.client, stack.task_queue, matter, uuid.uuid4().hex[:16])
    assert (again.complaint_id, again.repeat) == (complaint_id, True)  # the matter still routes


async def test_an_operators_cli_reads_through_the_codec_server_and_still_cannot_write(
    stack: Stack, mailbox: Mailbox
) -> None:
    complaint_id = await filed(stack, mailbox)
    wid = workflow_id(complaint_id)
    async with serve_codec_server(CodecServerSettings()) as codec_url:
        codec = ["--codec-endpoint", codec_url, "--codec-auth", SUPERVISOR["Authorization"]]
        show = ["workflow", "show", "--workflow-id", wid, "--output", "json"]
        shown = await stack.cli(*show, *codec)
        keyless = await stack.cli(*show)
        note = json.dumps({"by": {"role": "agent", "name": "Priya"}, "text": "from the CLI"})
        update = await stack.cli(
            "workflow", "update", "execute", "--workflow-id", wid, "--name", "add_note",
            "--input", note, *codec, within=10,
        )  # fmt: skip
    assert shown.returncode == 0 and INTAKE.customer.name in payload_text(shown.stdout)
    assert keyless.returncode == 0 and INTAKE.customer.name not in payload_text(keyless.stdout)
    assert update.returncode == STOPPED  # it retries the encode the codec server refuses
    view = await stack.handle(complaint_id).query(ComplaintWorkflow.view)
    assert all(step.text != "from the CLI" for step in view.history)


async def test_a_workflow_started_from_the_temporal_cli_is_refused_before_it_sends_anything(
    stack: Stack,
) -> None:
    complaint_id = uuid.uuid4().hex[:16]
    start = ComplaintStart(complaint_id=complaint_id, intake=INTAKE, policy=SEED_MATRIX)
    started = await stack.cli(
        "workflow", "start", "--type", "ComplaintWorkflow", "--task-queue", stack.task_queue,
        "--workflow-id", workflow_id(complaint_id), "--input", start.model_dump_json(),
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    handle = stack.handle(complaint_id)

    async def failed() -> bool:
        return (await handle.describe()).status is WorkflowExecutionStatus.FAILED

    await eventually(failed)
    history = await handle.fetch_history()
    failure = history.events[-1].workflow_execution_failed_event_attributes.failure
    assert failure.message.startswith("refused: the complaint's start was not encrypted")
    assert not any(
        event.HasField("activity_task_scheduled_event_attributes") for event in history.events
    )
