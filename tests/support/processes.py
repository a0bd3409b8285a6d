"""The project's own programs run as processes, as an operator starts them, for the tests of
what they say when they refuse to start."""

import asyncio
import os
import sys
from pathlib import Path

from harness.mailbox import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def without_complaints_settings() -> dict[str, str]:
    """This process's environment without any `COMPLAINTS_` setting."""
    return {name: value for name, value in os.environ.items() if not name.startswith("COMPLAINTS_")}


async def api_process_output(environment: dict[str, str]) -> tuple[int | None, str, str]:
    """`uvicorn api.main:app` on a free port with `environment`, run until it exits (within
    60 s): its exit code, stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        str(BIN / "uvicorn"),
        "api.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(free_port()),
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        stdout, stderr = await process.communicate()
    return process.returncode, stdout.decode(), stderr.decode()
