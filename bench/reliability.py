"""The fault suite (issue 17): nothing lost, nothing doubled, nothing late, on the real stack.

    .venv/bin/python -m bench.reliability [--complaints 200] [--scenarios worker-kill smtp-down
        server-kill idempotency] [--output docs/reliability.md]

The stack as deployed, as separate processes on free loopback ports: `temporal server start-dev`
on a SQLite file in a temporary folder, `python worker.py`, `uvicorn api.main:app` (rate limits
set explicitly, generous for the bench's one staff caller), and an SMTP sink in this process that
records every message by Message-ID and `X-Idempotency-Key`. Complaints are filed through
`POST /complaints` with an `Idempotency-Key` (a client retrying 503, 429 and broken connections
with the same key, as a client should) under the brand `fault-fast`: two levels of 6 seconds, so
each complaint owes five emails within 12 s of filing (acknowledgement, L1 assigned, L2 assigned,
the customer told of the escalation, the L2 breach alert).

Each scenario files its own complaints while its fault runs, waits until every email owed is in
(or gives up), then reads each complaint back (`GET /complaints/{id}`) and compares the emails
owed, computed by the workflow's own logic (`domain.simulation`) from each complaint's
`opened_at`, with the ones the sink received. Results: docs/reliability.md.
"""

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path
from typing import Any

import httpx
import yaml
from aiosmtpd.controller import Controller

from domain.intake import ComplaintIntake
from domain.policy import EscalationPolicy
from domain.simulation import simulated_complaint
from harness.credentials import CUSTOMER_ID_SECRET, JWT_SECRET, SESSION_SECRET, bearer
from harness.mailbox import free_port
from harness.samples import FORM, POLICY_DIR
from harness.temporal import CODEC_ENVIRONMENT, TEMPORAL_CLI
from workflows.search_attributes import dev_server_flags

ROOT = Path(__file__).resolve().parent.parent
BRAND = "fault-fast"
WINDOW_SECONDS = 6
POLICY = f"""\
name: {BRAND}
levels:
  - name: Desk
    owner_role: desk
    contacts: {{email: desk@example.com}}
    resolution_window: {WINDOW_SECONDS}s
  - name: Supervisor
    owner_role: supervisor
    contacts: {{email: supervisor@example.com}}
    resolution_window: {WINDOW_SECONDS}s
realert_interval: 1h
customer_decision_window: 1 day
reopen_window: 1 day
"""
"""Two 6-second levels; the top level's breach alerts once (the next re-alert is an hour away)."""
LATE_ALLOWANCE = 10.0
"""Target: every email no later than its due time plus the outage plus this."""
RATE_LIMITS = {
    "ENABLED": "true",
    "FILING": "10/minute;100/hour",
    "ACTIONS": "60/minute;1000/hour",
    "STAFF": "100000/minute",
    "PER_ADDRESS": "100000/minute",
    "FAILED_AUTH": "60/minute",
}
"""Set explicitly (issue 17): the bench files as one staff member, well under its limits."""
STAFF = bearer("admin", "reliability-bench", ttl=timedelta(hours=6))
FINDINGS = "<!-- findings: kept when the tables are written again -->"
SCENARIOS = ("baseline", "worker-kill", "smtp-down", "server-kill", "idempotency")
"""`baseline` injects nothing: how late emails are under the load alone."""


# --- the SMTP sink ----------------------------------------------------------------------------


@dataclass
class Sink:
    """Takes every message and records when each Message-ID arrived (wall clock)."""

    arrivals: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    """Idempotency key -> arrival times of each copy."""
    message_ids: dict[str, str] = field(default_factory=dict)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(
            envelope.original_content or envelope.content, policy=email_policy.default
        )
        key = str(message["X-Idempotency-Key"])
        self.arrivals[key].append(time.time())
        self.message_ids[key] = str(message["Message-ID"])
        return "250 Message accepted"


@dataclass
class SmtpServer:
    sink: Sink
    port: int = field(default_factory=free_port)
    _controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


# --- processes ---------------------------------------------------------------------------------


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

    async def start_worker(self, worker: Process) -> float:
        """Start `worker`; the seconds until it logs that it polls."""
        began, seen = time.monotonic(), worker.ready_lines()
        await worker.start()

        def polling() -> bool:
            worker.alive()
            return worker.ready_lines() > seen

        await wait_for(polling, 60, f"{worker.name} polling")
        return time.monotonic() - began

    async def start_server(self) -> None:
        await self.server.start()
        await wait_for(lambda: self.server.alive() or port_open(self.server_port), 60, "server")


@contextlib.asynccontextmanager
async def running_stack(folder: Path, workers: int) -> AsyncIterator[Stack]:
    policies = folder / "policy"
    shutil.copytree(POLICY_DIR, policies)
    (policies / f"{BRAND}.yaml").write_text(POLICY, encoding="utf-8")
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
        "NOTIFY_SENT_LEDGER": str(folder / "sent.sqlite3"),
        "COMPLAINTS_JWT_SECRET": JWT_SECRET,
        "COMPLAINTS_CUSTOMER_ID_SECRET": CUSTOMER_ID_SECRET,
        "COMPLAINTS_SESSION_SECRET": SESSION_SECRET,
        **{f"COMPLAINTS_RATE_LIMITS__{k}": v for k, v in RATE_LIMITS.items()},
    }
    for unset in ("NOTIFY_SMS_GATEWAY", "COMPLAINTS_TRACKING_SECRET", "COMPLAINTS_METRICS_ADDRESS"):
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
                ready_line="worker polling task queue",
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
        for process in (stack.api, *stack.workers, stack.server):
            await process.stop()
        smtp.stop()


# --- filing and probing ------------------------------------------------------------------------


@dataclass
class Observed:
    """What a scenario's clients saw."""

    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    complaint_ids: dict[str, str] = field(default_factory=dict)
    """Idempotency-Key -> the complaint id the API answered with."""
    id_mismatches: int = 0
    """Answers to a repeated Idempotency-Key that named another complaint."""
    given_up: list[str] = field(default_factory=list)


def filing(scenario: str, number: int, run: str) -> dict[str, Any]:
    email = f"{scenario}-{run}-{number}@example.com"
    return {
        **FORM,
        "customer": {"name": f"Customer {number}", "email": email},
        "brand": BRAND,
        "country": "IN",
        "product": f"Unit {scenario} {number}",
        "reason": "Late repair",
    }


async def file(
    api: httpx.AsyncClient, observed: Observed, key: str, form: dict[str, Any], within: float
) -> None:
    """POST until the API answers with a complaint, retrying 503/429/transport errors."""
    deadline = time.monotonic() + within
    delay = 0.5
    while time.monotonic() < deadline:
        try:
            answer = await api.post(
                "/complaints", json=form, headers={**STAFF, "Idempotency-Key": key}
            )
        except httpx.TransportError:
            observed.transport_errors += 1
        else:
            observed.statuses[answer.status_code] += 1
            if answer.status_code in (200, 201, 202):
                complaint = answer.json()["id"]
                known = observed.complaint_ids.setdefault(key, complaint)
                observed.id_mismatches += known != complaint
                return
            if answer.status_code not in (429, 503):
                observed.given_up.append(f"{key}: {answer.status_code} {answer.text[:200]}")
                return
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5)
    observed.given_up.append(f"{key}: no answer within {within:.0f} s")


async def file_all(
    api: httpx.AsyncClient, observed: Observed, scenario: str, run: str, count: int, rate: float
) -> None:
    """`count` filings at `rate` a second (each its own task: a slow one does not hold the rest)."""
    tasks = []
    for number in range(count):
        key = f"{run}-{scenario}-{number}"
        tasks.append(
            asyncio.create_task(file(api, observed, key, filing(scenario, number, run), within=180))
        )
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)


async def probe(api: httpx.AsyncClient, observed: Observed, stop: asyncio.Event) -> None:
    """GET /ready and a complaint every half second while the scenario runs."""
    while not stop.is_set():
        paths = ["/ready"]
        if observed.complaint_ids:
            paths.append(f"/complaints/{next(iter(observed.complaint_ids.values()))}")
        for path in paths:
            try:
                answer = await api.get(path, headers=STAFF)
                observed.statuses[answer.status_code] += 1
            except httpx.TransportError:
                observed.transport_errors += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


# --- faults ------------------------------------------------------------------------------------


@dataclass
class Faults:
    described: str = ""
    injected: int = 0
    outages: list[tuple[float, float]] = field(default_factory=list)
    """Wall-clock (start, end) of each time nothing could be sent."""

    @property
    def ended_at(self) -> float | None:
        return max((end for _, end in self.outages), default=None)


async def kill_workers(stack: Stack, faults: Faults, every: float, until: asyncio.Event) -> None:
    """SIGKILL the first worker every `every` seconds and start it again at once."""
    worker = stack.workers[0]
    while not until.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(until.wait(), every)
        if until.is_set():
            break
        killed = time.time()
        await worker.kill()
        await stack.start_worker(worker)
        faults.injected += 1
        faults.outages.append((killed, time.time()))


async def smtp_outage(stack: Stack, faults: Faults, after: float, seconds: float) -> None:
    await asyncio.sleep(after)
    began = time.time()
    stack.smtp.stop()
    await asyncio.sleep(seconds)
    stack.smtp.start()
    faults.injected += 1
    faults.outages.append((began, time.time()))


async def server_outage(stack: Stack, faults: Faults, after: float, seconds: float) -> None:
    await asyncio.sleep(after)
    began = time.time()
    await stack.server.kill()
    await asyncio.sleep(seconds)
    await stack.start_server()
    faults.injected += 1
    faults.outages.append((began, time.time()))


# --- a scenario --------------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    faults: Faults
    observed: Observed
    filed: int
    lost: list[str]
    expected: int
    received: int
    missing: list[str]
    duplicated: int
    extra_copies: int
    same_message_id: int
    """Messages that arrived twice with one Message-ID (a resend recognisable as one)."""
    max_lateness: float
    lateness_p50: float
    lateness_p95: float
    duplicates: list[str]
    """Each duplicated message with its copies' spread."""
    """Escalation emails (due after filing): seconds after their due time, the worst."""
    over_target: int
    """Emails later than due + outage + LATE_ALLOWANCE."""
    recovery: float | None
    seconds: float


def owed(view: dict[str, Any], policy: EscalationPolicy) -> dict[str, datetime]:
    """`complaint/kind/role/channel` -> due time of each email the complaint owes, by the
    workflow's own logic. Step numbers are left out: the real history has delivery steps
    between the ladder's (each kind goes once to each role under this policy)."""
    opened = datetime.fromisoformat(view["opened_at"])
    intake = ComplaintIntake.model_validate(view["intake"])
    horizon = opened + timedelta(seconds=3 * WINDOW_SECONDS)
    complaint = simulated_complaint(intake, policy, None, opened, [], until=horizon)
    at = {step.seq: step.at for step in complaint.history}
    return {
        f"{view['id']}/{n.kind.value}/{n.recipient.role}/{channel.value}": at[n.step]
        for n in complaint.outbox
        for channel in n.channels
    }


def message(key: str) -> str:
    """An idempotency key (`complaint/step/kind/role/channel`) without its step number."""
    complaint, _step, rest = key.split("/", 2)
    return f"{complaint}/{rest}"


def allowed_lateness(due: float, outages: list[tuple[float, float]]) -> float:
    """LATE_ALLOWANCE plus the part of every outage that ended after `due`."""
    return LATE_ALLOWANCE + sum(end - max(start, due) for start, end in outages if end > due)


async def scenario_run(stack: Stack, name: str, count: int, rate: float, args: Any) -> Result:
    run = datetime.now(UTC).strftime("%H%M%S")
    policy = EscalationPolicy.model_validate(yaml.safe_load(POLICY))  # what the processes load
    observed, faults = Observed(), Faults()
    began = time.monotonic()
    stop_probe, stop_faults = asyncio.Event(), asyncio.Event()
    timeout = httpx.Timeout(30)
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=timeout) as api:
        prober = asyncio.create_task(probe(api, observed, stop_probe))
        intake_seconds = count / rate
        if name == "worker-kill":
            faults.described = f"worker SIGKILL every {args.kill_every:g} s, restarted at once"
            fault = kill_workers(stack, faults, args.kill_every, stop_faults)
        elif name == "smtp-down":
            faults.described = f"SMTP sink stopped for {args.smtp_outage:g} s"
            fault = smtp_outage(stack, faults, intake_seconds / 3, args.smtp_outage)
        elif name == "server-kill":
            faults.described = (
                f"Temporal dev server SIGKILL, restarted on its SQLite file after "
                f"{args.server_outage:g} s"
            )
            fault = server_outage(stack, faults, intake_seconds / 3, args.server_outage)
        elif name == "baseline":
            faults.described = "none (the load alone)"
            fault = None
        else:
            faults.described = (
                "worker SIGKILL and restart after the filings, then every filing sent again "
                "with its Idempotency-Key, twice concurrently"
            )
            fault = None
        fault_task = asyncio.create_task(fault) if fault else None
        await file_all(api, observed, name, run, count, rate)
        if name == "worker-kill":
            await asyncio.sleep(2 * WINDOW_SECONDS)  # kills go on through the escalations
            stop_faults.set()
        if fault_task is not None:
            await fault_task
        if name == "idempotency":
            killed = time.time()
            await stack.workers[0].kill()
            await stack.start_worker(stack.workers[0])
            faults.injected += 1
            faults.outages.append((killed, time.time()))
            await asyncio.gather(
                file_all(api, observed, name, run, count, rate * 2),
                file_all(api, observed, name, run, count, rate * 2),
            )
        # Wait for every email owed: five per complaint filed.
        expected_emails = 5 * len(observed.complaint_ids)

        def all_in() -> bool:
            return received_for(stack.smtp.sink, observed) >= expected_emails

        with contextlib.suppress(TimeoutError):
            await wait_for(all_in, args.drain, "every email")
        await asyncio.sleep(3)  # a late duplicate
        stop_probe.set()
        await prober
        views: dict[str, dict[str, Any]] = {}
        lost: list[str] = []
        for complaint in set(observed.complaint_ids.values()):
            answer = await api.get(f"/complaints/{complaint}", headers=STAFF)
            observed.statuses[answer.status_code] += 1
            view = answer.json() if answer.status_code == 200 else None
            if view is None or view["level"] != 2 or not view["breached"]:
                lost.append(
                    f"{complaint}: {answer.status_code} "
                    f"{view and (view['level'], view['breached'])}"
                )
            if view is not None:
                views[complaint] = view
    due: dict[str, datetime] = {}
    for view in views.values():
        due |= owed(view, policy)
    complaints = set(observed.complaint_ids.values())
    copies = {
        key: times
        for key, times in stack.smtp.sink.arrivals.items()
        if key.split("/")[0] in complaints
    }
    ours: dict[str, list[float]] = defaultdict(list)  # by message, whatever its step number
    for key, times in copies.items():
        ours[message(key)].extend(times)
    missing = sorted(set(due) - set(ours))
    duplicated = sum(1 for times in ours.values() if len(times) > 1)
    lateness = [
        (min(ours[key]) - at.timestamp(), at.timestamp()) for key, at in due.items() if key in ours
    ]
    escalation_lateness = [
        min(ours[key]) - at.timestamp()
        for key, at in due.items()
        if key in ours and at > datetime.fromisoformat(views[key.split("/")[0]]["opened_at"])
    ]
    over = sum(1 for late, at in lateness if late > allowed_lateness(at, faults.outages))
    recovery = None
    if faults.ended_at is not None:
        drained = [
            min(ours[key])
            for key, at in due.items()
            if key in ours and at.timestamp() <= faults.ended_at
        ]
        recovery = max(0.0, max(drained, default=faults.ended_at) - faults.ended_at)
    return Result(
        scenario=name,
        faults=faults,
        observed=observed,
        filed=len(set(observed.complaint_ids.values())),
        lost=lost,
        expected=len(due),
        received=len(set(due) & set(ours)),
        missing=missing,
        duplicated=duplicated,
        extra_copies=sum(len(times) - 1 for times in ours.values()),
        same_message_id=sum(1 for times in copies.values() if len(times) > 1),
        max_lateness=max(escalation_lateness, default=0.0),
        lateness_p50=percentile(escalation_lateness, 0.5),
        lateness_p95=percentile(escalation_lateness, 0.95),
        duplicates=[
            f"duplicate {key}: {len(times)} copies {max(times) - min(times):.1f} s apart"
            for key, times in ours.items()
            if len(times) > 1
        ],
        over_target=over,
        recovery=recovery,
        seconds=time.monotonic() - began,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def received_for(sink: Sink, observed: Observed) -> int:
    complaints = set(observed.complaint_ids.values())
    return sum(1 for key in list(sink.arrivals) if key.split("/")[0] in complaints)


# --- the report --------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} s"


def table(result: Result) -> str:
    observed, faults = result.observed, result.faults
    codes = ", ".join(f"{code}: {n}" for code, n in sorted(observed.statuses.items()))
    if observed.transport_errors:
        codes += f"; connection errors: {observed.transport_errors}"
    server_errors = sum(n for code, n in observed.statuses.items() if code >= 500 and code != 503)
    rows = [
        ("complaints filed (distinct)", f"{result.filed}"),
        ("faults injected", f"{faults.injected} ({faults.described})"),
        ("complaints lost", f"{len(result.lost)}"),
        ("filings given up by the client", f"{len(observed.given_up)}"),
        ("Idempotency-Key answered with another complaint", f"{observed.id_mismatches}"),
        ("emails expected", f"{result.expected}"),
        ("emails received", f"{result.received}"),
        ("emails missing", f"{len(result.missing)}"),
        (
            "emails duplicated",
            f"{result.duplicated} ({result.extra_copies} extra copies, "
            f"{result.same_message_id} of them with one Message-ID)",
        ),
        (
            "lateness of escalation emails vs due: p50 / p95 / max",
            f"{_seconds(result.lateness_p50)} / {_seconds(result.lateness_p95)} / "
            f"{_seconds(result.max_lateness)}",
        ),
        (f"emails later than due + outage + {LATE_ALLOWANCE:g} s", f"{result.over_target}"),
        ("outage (sum)", _seconds(sum(end - start for start, end in faults.outages))),
        ("recovery (last fault's end to the last email due by then)", _seconds(result.recovery)),
        ("API status codes seen", codes),
        ("5xx other than 503", f"{server_errors}"),
        ("scenario wall time", _seconds(result.seconds)),
    ]
    lines = [f"### {result.scenario}", "", "| measure | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    details = [
        *result.lost[:5],
        *result.missing[:5],
        *result.observed.given_up[:5],
        *result.duplicates[:5],
    ]
    if details:
        lines += ["", "First problems:", "", *(f"- `{line}`" for line in details)]
    return "\n".join(lines)


def met(result: Result) -> bool:
    server_errors = sum(n for c, n in result.observed.statuses.items() if c >= 500 and c != 503)
    return not (
        result.lost
        or result.missing
        or result.over_target
        or server_errors
        or result.observed.id_mismatches
        or result.observed.given_up
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench.reliability", description="The fault suite (issue 17)."
    )
    parser.add_argument("--complaints", type=int, default=200, help="per scenario")
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--rate", type=float, default=4.0, help="filings a second")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--kill-every", type=float, default=4.0)
    parser.add_argument("--smtp-outage", type=float, default=30.0)
    parser.add_argument("--server-outage", type=float, default=10.0)
    parser.add_argument("--drain", type=float, default=180.0, help="seconds to wait for emails")
    parser.add_argument("--output", type=Path, default=None, help="write the report here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> list[Result]:
    folder = Path(tempfile.mkdtemp(prefix="reliability-"))
    results = []
    try:
        async with running_stack(folder, args.workers) as stack:
            for name in args.scenarios:
                result = await scenario_run(stack, name, args.complaints, args.rate, args)
                print(table(result), flush=True)
                results.append(result)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return results


def report(args: argparse.Namespace, results: list[Result], command: str) -> str:
    head = [
        "# Reliability: the fault suite",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on this machine (2 shared cores) with",
        "",
        f"    {command}",
        "",
        f"The stack: Temporal dev server (SQLite file), {args.workers} `worker.py` process(es), "
        "`uvicorn api.main:app` (rate limits set explicitly: "
        + ", ".join(f"{k.lower()} `{v}`" for k, v in RATE_LIMITS.items())
        + "), an aiosmtpd sink counting by Message-ID. Policy `fault-fast`: two levels of "
        f"{WINDOW_SECONDS} s, five emails owed per complaint within {2 * WINDOW_SECONDS} s of "
        f"filing; filings at {args.rate:g}/s through `POST /complaints` with an Idempotency-Key, "
        "the client retrying 503, 429 and broken connections. See `bench/reliability.py`.",
        "",
        "Targets: 0 complaints lost, 0 emails missing, duplicates counted (at-least-once), "
        f"every email no later than due + outage + {LATE_ALLOWANCE:g} s, no 5xx other than 503.",
        "",
        "| scenario | targets met |",
        "|---|---|",
        *(f"| {r.scenario} | {'yes' if met(r) else 'no'} |" for r in results),
        "",
    ]
    return "\n".join(head) + "\n" + "\n\n".join(table(r) for r in results) + "\n"


async def _run_until_terminated(args: argparse.Namespace) -> list[Result]:
    """`run`, cancelled by SIGTERM or SIGINT so that the stack's processes are stopped (a
    background job ignores SIGINT)."""
    task = asyncio.current_task()
    assert task is not None
    for stop in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(stop, task.cancel)
    return await run(args)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    results = asyncio.run(_run_until_terminated(args))
    command = ".venv/bin/python -m bench.reliability " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    if args.output:
        kept = ""  # what people wrote about the numbers stays below the marker
        if args.output.exists() and FINDINGS in (text := args.output.read_text(encoding="utf-8")):
            kept = "\n" + text[text.index(FINDINGS) :]
        args.output.write_text(report(args, results, command.strip()) + kept, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0 if all(met(r) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
