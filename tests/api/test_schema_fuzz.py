"""schemathesis fuzzes the whole OpenAPI schema over HTTP: no 5xx, every response as documented.

It calls as an admin, whom every route admits, so it reaches past authentication; `ignored_auth`
checks that every route but the health checks refuses the same calls without credentials.
"""

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.email import SmtpSettings
from api.settings import ApiSettings
from harness.api import serve_api
from harness.credentials import ADMIN
from harness.mailbox import Mailbox
from harness.temporal import start_dev_server
from worker import build_worker

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,ignored_auth"


@pytest.fixture
async def own_env() -> AsyncIterator[WorkflowEnvironment]:
    """A dev server of its own (the search routes need its list API): the hundreds of
    complaints filed here end with it."""
    async with start_dev_server() as environment:
        yield environment


async def test_the_whole_schema_survives_fuzzing(
    own_env: WorkflowEnvironment, mailbox: Mailbox, task_queue: str
) -> None:
    smtp = SmtpSettings(port=mailbox.port, timeout_seconds=5)
    settings = ApiSettings(task_queue=task_queue)
    async with (
        build_worker(own_env.client, smtp, task_queue),
        serve_api(own_env, settings, set()) as api,
    ):
        process = await asyncio.create_subprocess_exec(
            str(SCHEMATHESIS),
            "run",
            f"{str(api.base_url).rstrip('/')}/openapi.json",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            "15",
            "--seed",
            "20261123",
            "--request-timeout",
            "30",
            "--header",
            f"Authorization: {ADMIN['Authorization']}",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        async with asyncio.timeout(900):
            output, _ = await process.communicate()
    report = output.decode()
    print(report)
    assert process.returncode == 0, report[-4000:]
