"""The stack as separate processes on free loopback ports: dev server, workers, API, SMTP sink."""

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.reliability.settings import (
    BRAND,
    LONG_BRAND,
    LONG_POLICY,
    POLICY,
    RATE_LIMITS,
    ROOT,
    SMS_GATEWAY,
)
from bench.reliability.sink import Sink, SmtpServer
from harness.credentials import CUSTOMER_ID_SECRET, JWT_SECRET, SESSION_SECRET
from harness.mailbox import free_port
from harness.postgres import running_postgres
from harness.samples import POLICY_DIR
from harness.temporal import CODEC_ENVIRONMENT, TEMPORAL_CLI
from workflows.search_attributes import dev_server_flags

WORKER_READY = "worker polling task queue"
"""What worker.py logs once it polls."""


@dataclass
class Process:
    """A process of the stack, restartable with the same arguments, logging to one file."""

    name: str
    args: tuple[str, ...]
    environment: dict[str, str]
    log: Path
    ready_line: str | None = None
    process: asyncio.subprocess.Process | None = None
    starts: int = 0

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                *self.args, cwd=ROOT, env=self.environment, stdout=out, stderr=out
            )
        self.starts += 1

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                async with asyncio.timeout(15):
                    await self.process.wait()
            except TimeoutError:
                await self.kill()

    def ready_lines(self) -> int:
        if self.ready_line is None or not self.log.exists():
            return 0
        return self.log.read_text(errors="replace").count(self.ready_line)

    def alive(self) -> None:
        if self.process is not None and self.process.returncode is not None:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{self.name} ended ({self.process.returncode}):\n{tail}")


async def wait_for(probe: Callable[[], Awaitable[bool] | bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = probe()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{what}: not within {within:.0f} s")


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Stack:
    folder: Path
    smtp: SmtpServer
    server: Process
    server_port: int
    workers: list[Process]
    api: Process
    api_url: str
    environment: dict[str, str]
    extra_workers: list[Process] = field(default_factory=list)
    """Worker processes a scenario started besides `workers` (stopped with the stack)."""

    def worker_process(self, name: str, *args: str) -> Process:
        """A worker process on the stack's task queue: `worker.py`, or the module `args` names."""
        process = Process(
            name,
            (sys.executable, *(args or ("worker.py",))),
            self.environment,
            self.folder / "logs" / f"{name}.log",
            ready_line=WORKER_READY,
        )
        self.extra_workers.append(process)
        return process

    async def start_worker(self, worker: Process) -> float:
        """Start `worker`; the seconds until it logs that it polls."""
        began, seen = time.monotonic(), worker.ready_lines()
        await worker.start()

        def polling() -> bool:
            worker.alive()
            return worker.ready_lines() > seen

        await wait_for(polling, 180, f"{worker.name} polling")  # a loaded machine
        return time.monotonic() - began

    async def start_server(self) -> None:
        await self.server.start()
        await wait_for(lambda: self.server.alive() or port_open(self.server_port), 60, "server")


@contextlib.asynccontextmanager
async def running_stack(folder: Path, workers: int, ledger: str) -> AsyncIterator[Stack]:
    """The stack; the workers share one sent-ledger: a SQLite file, or (`ledger="postgresql"`)
    a throwaway PostgreSQL server (needs a worker.py that takes a PostgreSQL URL)."""
    policies = folder / "policy"
    shutil.copytree(POLICY_DIR, policies)
    (policies / f"{BRAND}.yaml").write_text(POLICY, encoding="utf-8")
    (policies / f"{LONG_BRAND}.yaml").write_text(LONG_POLICY, encoding="utf-8")
    with contextlib.ExitStack() as resources:
        sent_ledger = str(folder / "sent.sqlite3")
        if ledger == "postgresql":
            url = resources.enter_context(running_postgres())
            sent_ledger = url.replace("postgresql+psycopg://", "postgresql://")
        async with _running(folder, policies, workers, sent_ledger) as stack:
            yield stack


@contextlib.asynccontextmanager
async def _running(
    folder: Path, policies: Path, workers: int, sent_ledger: str
) -> AsyncIterator[Stack]:
    logs = folder / "logs"
    logs.mkdir()
    smtp = SmtpServer(Sink())
    smtp.start()
    server_port = free_port()
    server = Process(
        "temporal",
        (
            str(TEMPORAL_CLI),
            *("server", "start-dev", "--headless", "--ip", "127.0.0.1"),
            *("--port", str(server_port), "--http-port", str(free_port())),
            *("--metrics-port", str(free_port()), "--log-level", "error"),
            *("--db-filename", str(folder / "temporal.db")),
            *("--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"),
            *dev_server_flags(),
        ),
        dict(os.environ),
        logs / "temporal.log",
    )
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("COMPLAINTS_", "SMTP_"))},
        **CODEC_ENVIRONMENT,
        "PYTHONUNBUFFERED": "1",
        "TEMPORAL_ADDRESS": f"127.0.0.1:{server_port}",
        "TEMPORAL_NAMESPACE": "default",
        "COMPLAINTS_TASK_QUEUE": "reliability",
        "COMPLAINTS_JOURNAL_URL": f"sqlite:///{folder / 'journal.sqlite3'}",
        "ESCALATION_POLICY": str(policies),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "NOTIFY_SENT_LEDGER": sent_ledger,
        "NOTIFY_SMS_GATEWAY": SMS_GATEWAY,
        "COMPLAINTS_JWT_SECRET": JWT_SECRET,
        "COMPLAINTS_CUSTOMER_ID_SECRET": CUSTOMER_ID_SECRET,
        "COMPLAINTS_SESSION_SECRET": SESSION_SECRET,
        **{f"COMPLAINTS_RATE_LIMITS__{k}": v for k, v in RATE_LIMITS.items()},
    }
    for unset in ("COMPLAINTS_TRACKING_SECRET", "COMPLAINTS_METRICS_ADDRESS"):
        environment.pop(unset, None)
    api_port = free_port()
    stack = Stack(
        folder,
        smtp,
        server,
        server_port,
        [
            Process(
                f"worker-{n}",
                (sys.executable, "worker.py"),
                environment,
                logs / f"worker-{n}.log",
                ready_line=WORKER_READY,
            )
            for n in range(1, workers + 1)
        ],
        Process(
            "api",
            (
                sys.executable,
                "-m",
                "uvicorn",
                "api.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(api_port),
                "--log-level",
                "warning",
            ),
            environment,
            logs / "api.log",
        ),
        f"http://127.0.0.1:{api_port}",
        environment,
    )
    try:
        await stack.start_server()
        for worker in stack.workers:
            await stack.start_worker(worker)
        await stack.api.start()

        async def api_ready() -> bool:
            stack.api.alive()
            with contextlib.suppress(httpx.TransportError):
                async with httpx.AsyncClient(timeout=2) as client:
                    return (await client.get(f"{stack.api_url}/ready")).status_code == 200
            return False

        await wait_for(api_ready, 90, "API ready")
        yield stack
    finally:
        for process in (stack.api, *stack.workers, *stack.extra_workers, stack.server):
            await process.stop()
        smtp.stop()
