"""The API process refusing to start says what to fix, as the worker does: no traceback."""

import asyncio
import os
import sys
from pathlib import Path

from harness.mailbox import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "s" * 40


async def test_the_api_process_refuses_a_broken_policy_with_the_message_only(
    tmp_path: Path,
) -> None:
    """Seed 003: "solicitando un tiempo de espera de 5 días hábiles." A policy counting those
    days in a misspelt zone stops the API with the file, line and fix, not a traceback."""
    policy = (ROOT / "policy" / "default.yaml").read_text()
    mistake = "timezone: America/Mexico_City"
    line = policy[: policy.index(mistake)].count("\n") + 1
    (tmp_path / "default.yaml").write_text(policy.replace(mistake, "timezone: Mexico/City_Mexico"))
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("COMPLAINTS_")},
        "COMPLAINTS_JWT_SECRET": SECRET,
        "COMPLAINTS_CUSTOMER_ID_SECRET": SECRET,
        "ESCALATION_POLICY": str(tmp_path),
    }
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
        _, stderr = await process.communicate()
    assert process.returncode != 0
    message = stderr.decode()
    assert "refusing to start, the escalation policy is wrong" in message
    assert (
        f"default.yaml:{line}: calendars.MX.timezone: unknown time zone 'Mexico/City_Mexico'"
        in message
    )
    assert "Traceback" not in message
