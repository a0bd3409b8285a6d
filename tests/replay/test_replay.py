"""Saved histories of every shipped workflow version replay on the current code.

A change that breaks them would break complaints already running: guard it with
`workflow.patched()`, then record the new version's histories
(`python -m tests.replay.histories.record`).
"""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner, WorkflowRunner

from tests.replay.histories.record import RECORDING_KEY
from worker import SANDBOX
from workflows.codec import encrypted_data_converter
from workflows.complaint import ComplaintWorkflow
from workflows.matter import MatterWorkflow

HISTORIES = {
    path.stem: path.read_text()
    for path in sorted((Path(__file__).parent / "histories").glob("*.json"))
}


def test_there_are_histories_to_replay() -> None:
    assert HISTORIES, "no saved histories: run python -m tests.replay.histories.record"


RUNNERS = {"sandbox": SANDBOX, "unsandboxed": UnsandboxedWorkflowRunner()}
"""The tests' runner and production's default (`COMPLAINTS_WORKFLOW_SANDBOX`)."""


@pytest.mark.parametrize("runner", RUNNERS.values(), ids=RUNNERS.keys())
@pytest.mark.parametrize("name", HISTORIES)
async def test_saved_history_replays(name: str, runner: WorkflowRunner) -> None:
    """Through the encrypting converter, as the worker replays them: v1 to v6 hold plain
    payloads, v7 encrypted ones."""
    replayer = Replayer(
        workflows=[ComplaintWorkflow, MatterWorkflow],
        data_converter=encrypted_data_converter([RECORDING_KEY]),
        workflow_runner=runner,
    )
    history = WorkflowHistory.from_json(name, HISTORIES[name])
    await replayer.replay_workflow(history)
