"""How fast the case desk's pages are with many open complaints (issue 15: p95 at most 300 ms
with 10,000 open).

    .venv/bin/python -m bench.desk_pages --open 10000 [--samples 200] [--clients 4]
        [--concurrency 32] [--breached 0.05] [--journal sqlite|postgresql] [--data DIR]

The stack as deployed, on loopback: a Temporal dev server (SQLite file), `python worker.py` and
`uvicorn api.main:app` as processes of their own configured by their environment (rate limits
off: a benchmark is no abuser), the case journal in a SQLite file (or a throwaway PostgreSQL
server) that the worker writes and the API reads, and an SMTP sink taking the messages.

Complaints are started as the API's intake starts them (a `ComplaintWorkflow` with
`journal=True`, the brand's policy and the country's calendar), by the client directly and
`--concurrency` at a time: filing 10,000 through `POST /complaints` (its matter workflow, its
receipt) takes about 10 minutes at 18 a second and measures the intake, not the desk. A
`--breached` share gets the seed matrix with 2-second windows, so the queue has breached
complaints at every level; a few are taken by the signed-in agent (`mine`).

Then an agent signs in (a sign-in link, as `make tokens` prints) and each page kind is fetched
`--samples` times one after another, then again by `--clients` concurrent browsers; case pages
are of complaints drawn at random (the worker's cache holds fewer than 10,000 workflows, so a
page may replay its complaint's history: that is what an agent pays). Results: docs/benchmarks.md.

With `--data DIR` (SQLite journal only) the dev server's database, the journal and the payload
keys stay in DIR, and a later run with the same DIR starts only the complaints it lacks:
measuring again after a change to the API takes a minute, not the half hour 10,000 complaints
take to start here.
"""

import argparse
import asyncio
import contextlib
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
from aiosmtpd.controller import Controller
from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.journal_store import CaseJournal
from api.calendars import business_calendar_for
from api.credentials import mint_token
from domain.engine_room import complaint_static_details, complaint_summary
from domain.identity import customer_id
from domain.intake import ComplaintIntake
from domain.policy import EscalationPolicy
from domain.policy_files import load_policy_set
from harness.credentials import CUSTOMER_ID_SECRET, JWT_SECRET, SESSION_SECRET, TEST_AUTH, bearer
from harness.mailbox import free_port
from harness.postgres import running_postgres
from harness.samples import FORM, POLICY_DIR, SEED_MATRIX, with_policy
from harness.temporal import start_dev_server
from harness.waiting import eventually
from workflows.codec import CodecKey, encrypted_data_converter, parse_keys
from workflows.complaint import ComplaintWorkflow
from workflows.ids import workflow_id
from workflows.inputs import ComplaintStart

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 300.0
AGENT_SUB = "priya"
FILINGS = (("IN", None), ("MX", "delonghi-mx"), ("IN", "xiaomi-in"), ("MX", None))
REASONS = ("Late repair", "No diagnosis", "Refund refused", "Rude staff", "Wrong part")
QUEUE_TOTAL = re.compile(r"of ([0-9,]+) open complaints?")


class Sink:
    """An SMTP server that takes every message and keeps none (thousands are sent)."""

    def __init__(self) -> None:
        self.accepted = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted += 1
        return "250 Message accepted"


@dataclass(frozen=True)
class Stack:
    client: Client
    """The bench's own Temporal client (it starts the complaints)."""
    task_queue: str
    journal: CaseJournal
    """The journal the worker writes and the API reads, opened here to count."""
    api: str
    """The API's base URL."""
    smtp_port: int
    """The SMTP sink's port."""
    processes: dict[str, int] = field(default_factory=dict)
    """Process ids by role: `server` (the dev server), `worker` (`worker-2`, … with several),
    `api`: what `bench/resources.py` reads CPU time and memory of."""
    database: Path | None = None
    """The dev server's SQLite file."""
    environment: dict[str, str] = field(default_factory=dict)
    """The worker's and the API's environment: another worker starts with it."""


@contextlib.contextmanager
def journal_url(kind: str, folder: Path) -> Iterator[str]:
    if kind == "postgresql":
        with running_postgres() as url:
            yield url
    else:
        yield f"sqlite:///{folder / 'journal.sqlite3'}"


def payload_keys(folder: Path) -> tuple[CodecKey, ...]:
    """The stack's payload keys, kept in the folder: a kept folder's complaints stay readable."""
    kept = folder / "codec-keys"
    if not kept.exists():
        kept.write_text(CodecKey.generate("bench").encoded())
        kept.chmod(0o600)
    return parse_keys(kept.read_text().strip())


@contextlib.asynccontextmanager
async def running_stack(
    folder: Path,
    journal: str,
    mail: object | None = None,
    workers: int = 1,
    worker_environment: dict[str, str] | None = None,
    extra_environment: dict[str, str] | None = None,
) -> AsyncIterator[Stack]:
    """Dev server, SMTP sink (`mail` its handler, else one that counts), `workers` worker
    processes on one task queue (`worker_environment` added to theirs), API process
    (`extra_environment` added to every process's); stopped and deleted at the end."""
    sink = Controller(mail or Sink(), hostname="127.0.0.1", port=free_port())
    sink.start()
    task_queue = "bench-desk"
    server = start_dev_server(
        database=folder / "temporal.db",
        extra_args=("--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"),
    )
    processes: list[asyncio.subprocess.Process] = []
    try:
        with journal_url(journal, folder) as url:
            async with server as env:
                keys = payload_keys(folder)
                client = Client(
                    env.client.service_client,
                    namespace=env.client.namespace,
                    data_converter=encrypted_data_converter(keys),
                )
                environment = {
                    **{k: v for k, v in os.environ.items() if not k.startswith("COMPLAINTS_")},
                    "COMPLAINTS_CODEC_KEYS": ",".join(key.encoded() for key in keys),
                    "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
                    "TEMPORAL_NAMESPACE": "default",
                    "COMPLAINTS_TASK_QUEUE": task_queue,
                    "COMPLAINTS_JOURNAL_URL": url,
                    "ESCALATION_POLICY": str(POLICY_DIR),
                    "SMTP_HOST": "127.0.0.1",
                    "SMTP_PORT": str(sink.port),
                    "NOTIFY_SENT_LEDGER": str(folder / "sent.sqlite3"),
                    "COMPLAINTS_JWT_SECRET": JWT_SECRET,
                    "COMPLAINTS_CUSTOMER_ID_SECRET": CUSTOMER_ID_SECRET,
                    "COMPLAINTS_SESSION_SECRET": SESSION_SECRET,
                    "COMPLAINTS_RATE_LIMITS__ENABLED": "false",
                } | (extra_environment or {})
                environment.pop("NOTIFY_SMS_GATEWAY", None)
                environment.pop("COMPLAINTS_TRACKING_SECRET", None)
                logs = folder / "logs"
                logs.mkdir(exist_ok=True)
                roles: dict[str, int] = {"server": _server_pid(folder / "temporal.db")}
                for number in range(1, workers + 1):
                    role = "worker" if number == 1 else f"worker-{number}"
                    worker = await spawn(
                        environment | (worker_environment or {}), logs / f"{role}.log", "worker.py"
                    )
                    processes.append(worker)
                    roles[role] = worker.pid
                port = free_port()
                processes.append(
                    await spawn(
                        environment,
                        logs / "api.log",
                        "-m",
                        "uvicorn",
                        "api.main:app",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--log-level",
                        "warning",
                    )
                )
                api = f"http://127.0.0.1:{port}"
                await eventually(lambda: _answers(f"{api}/health", processes, logs), within=180)
                roles["api"] = processes[-1].pid
                journal_store = CaseJournal(url)
                yield Stack(
                    client,
                    task_queue,
                    journal_store,
                    api,
                    sink.port,
                    roles,
                    folder / "temporal.db",
                    environment,
                )
                for process in processes:
                    with contextlib.suppress(ProcessLookupError):  # a bench may have stopped it
                        process.terminate()
                    await process.wait()
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
        sink.stop()


def _server_pid(database: Path) -> int:
    """The dev server started on `database` (a child of this process)."""
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if str(database) in " ".join(child.cmdline()) and "server" in child.cmdline():
                return child.pid
    raise RuntimeError(f"no dev server running on {database}")


async def spawn(environment: dict[str, str], log: Path, *args: str) -> asyncio.subprocess.Process:
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, *args, cwd=ROOT, env=environment, stdout=out, stderr=out
        )


def _still_running(processes: list[asyncio.subprocess.Process], logs: Path) -> None:
    for process in processes:
        if process.returncode is not None:
            tails = "\n".join(f"{p.name}:\n{p.read_text()[-2000:]}" for p in logs.iterdir())
            raise RuntimeError(f"a process of the stack ended ({process.returncode}):\n{tails}")


async def _answers(url: str, processes: list[asyncio.subprocess.Process], logs: Path) -> bool:
    _still_running(processes, logs)
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(url)).status_code == 200
    except httpx.TransportError:
        return False


# --- the open complaints --------------------------------------------------------------------


def complaint_start(number: int, policies: Any, fast: EscalationPolicy | None) -> ComplaintStart:
    """Complaint `number` as the API's intake would start it (`api/routers/complaints.py`)."""
    country, brand = FILINGS[number % len(FILINGS)]
    email = f"customer{number}@example.com"
    intake = ComplaintIntake.model_validate(
        {
            **FORM,
            "customer": {"name": f"Customer {number}", "email": email},
            "country": country,
            "brand": brand if fast is None else None,
            "product": f"Unit {number}",
            "reason": REASONS[number % len(REASONS)],
        }
    )
    policy = fast or policies.for_brand(intake.brand)
    return ComplaintStart(
        complaint_id=complaint_id_of(number),
        intake=intake,
        policy=policy,
        calendar=business_calendar_for(policy, intake.country, date.today()),
        customer_id=customer_id(CUSTOMER_ID_SECRET.encode(), email, None),
        journal=True,
    )


async def open_complaints(
    stack: Stack, count: int, concurrency: int, breached_share: float
) -> list[str]:
    """Start `count` complaints, `concurrency` at a time; their ids."""
    policies = load_policy_set(POLICY_DIR)
    fast = with_policy(
        levels=[
            {**level.model_dump(mode="json"), "resolution_window": "2s"}
            for level in SEED_MATRIX.levels
        ]
    )
    every = round(1 / breached_share) if breached_share > 0 else 0
    numbers = iter(range(count))
    ids: list[str] = []
    started = time.perf_counter()

    async def starter() -> None:
        for number in numbers:
            breach = every and number % every == 0
            start = complaint_start(number, policies, fast if breach else None)
            summary = complaint_summary(start.complaint_id, start.intake, start.policy)
            # A kept data folder (`--data`) has some already: their ids are the same.
            with contextlib.suppress(WorkflowAlreadyStartedError):
                await stack.client.start_workflow(
                    ComplaintWorkflow.run,
                    start,
                    id=workflow_id(start.complaint_id),
                    task_queue=stack.task_queue,
                    static_summary=summary,
                    static_details=complaint_static_details(start.intake, start.policy),
                )
            ids.append(start.complaint_id)
            if len(ids) % 1000 == 0 or len(ids) == count:
                rate = len(ids) / (time.perf_counter() - started)
                print(f"  started {len(ids)}/{count} ({rate:.0f}/s)", flush=True)

    await asyncio.gather(*(starter() for _ in range(concurrency)))
    return ids


def complaint_id_of(number: int) -> str:
    """The same id for the same number, run after run (`--data` finds them again)."""
    return f"bench{number:011d}"


def complaint_ids(count: int) -> list[str]:
    return [complaint_id_of(number) for number in range(count)]


async def until_journaled(stack: Stack, ids: list[str]) -> None:
    """Until the journal has every complaint (the worker journals them as it runs them)."""
    started = last = time.perf_counter()
    missing = ids
    while True:
        missing = await asyncio.to_thread(_not_journaled, stack.journal, missing)
        if not missing:
            return
        if time.perf_counter() - last > 15:
            last = time.perf_counter()
            done = len(ids) - len(missing)
            print(f"  journal has {done}/{len(ids)} ({last - started:.0f} s)", flush=True)
        await asyncio.sleep(1)


def _not_journaled(journal: CaseJournal, ids: list[str]) -> list[str]:
    return [complaint for complaint in ids if not journal.has(complaint)]


async def take_some(stack: Stack, ids: list[str], count: int) -> None:
    """The agent takes `count` complaints, through the API: `mine` lists them."""
    agent = bearer("agent", AGENT_SUB, "Priya")
    async with httpx.AsyncClient(base_url=stack.api, timeout=120, headers=agent) as api:
        for complaint in ids[:count]:
            answer = await api.post(f"/complaints/{complaint}/take", json={})
            if answer.status_code != 409:  # 409: held already (a kept data folder)
                answer.raise_for_status()


# --- the pages --------------------------------------------------------------------------------


async def signed_in(stack: Stack) -> httpx.AsyncClient:
    """A browser with the agent's desk session (a 10-minute sign-in link, as `make tokens`)."""
    browser = httpx.AsyncClient(base_url=stack.api, timeout=60)
    token = mint_token(TEST_AUTH, AGENT_SUB, "agent", "Priya", ttl=timedelta(minutes=10))
    answer = await browser.get("/desk/sign-in", params={"token": token})
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in refused: {answer.status_code} {answer.text[:300]}")
    return browser


def page_kinds(ids: list[str], count: int) -> dict[str, Callable[[], str]]:
    """Each page kind and how to pick its next URL (case pages: the same random draw each run)."""
    later = max(1, count // 50 // 2)  # halfway through, 50 a page
    draw = random.Random(15)
    return {
        "queue": lambda: "/desk",
        "queue breached": lambda: "/desk?breached=yes",
        "queue L3": lambda: "/desk?level=3",
        "queue due 24 h": lambda: "/desk?breached=no&due_within=24",
        "queue mine": lambda: "/desk?mine=1",
        "queue page": lambda: f"/desk?page={later}",
        "case": lambda: f"/desk/complaints/{draw.choice(ids)}",
    }


async def fetch(browser: httpx.AsyncClient, url: str) -> float:
    started = time.perf_counter()
    answer = await browser.get(url)
    elapsed = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"GET {url}: {answer.status_code} {answer.text[:300]}")
    return elapsed


async def measure(
    browsers: list[httpx.AsyncClient], next_url: Callable[[], str], samples: int
) -> list[float]:
    """`samples` fetches shared among the browsers, each fetching one after another."""
    timings: list[float] = []
    left = iter(range(samples))

    async def browse(browser: httpx.AsyncClient) -> None:
        for _ in left:
            timings.append(await fetch(browser, next_url()))

    await asyncio.gather(*(browse(browser) for browser in browsers))
    return timings


def summary(timings: list[float]) -> dict[str, float]:
    ms = sorted(t * 1000 for t in timings)
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {"p50": statistics.median(ms), "p95": cuts[94], "p99": cuts[98], "max": ms[-1]}


def markdown(results: dict[tuple[str, int], dict[str, float]]) -> str:
    """The results as docs/benchmarks.md's table."""
    lines = ["| page | clients | p50 ms | p95 ms | p99 ms | max ms |", "|---|---|---|---|---|---|"]
    for (kind, clients), numbers in results.items():
        cells = " | ".join(f"{value:.0f}" for value in numbers.values())
        lines.append(f"| {kind} | {clients} | {cells} |")
    return "\n".join(lines)


def report_line(kind: str, clients: int, numbers: dict[str, float]) -> str:
    over = "  OVER" if numbers["p95"] > TARGET_P95_MS else ""
    cells = "  ".join(f"{name} {value:7.1f}" for name, value in numbers.items())
    return f"  {kind:<15} {clients:>2} client{'s' if clients > 1 else ' '}  {cells} ms{over}"


async def run(args: argparse.Namespace) -> dict[tuple[str, int], dict[str, float]]:
    folder = args.data or Path(tempfile.mkdtemp(prefix="bench-desk-"))
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[tuple[str, int], dict[str, float]] = {}
    try:
        async with running_stack(folder, args.journal) as stack:
            ids = complaint_ids(args.open)
            print(f"starting {args.open} complaints, {args.concurrency} at a time", flush=True)
            started = time.perf_counter()
            await open_complaints(stack, args.open, args.concurrency, args.breached)
            await until_journaled(stack, ids)
            print(f"  {args.open} open in {time.perf_counter() - started:.0f} s", flush=True)
            await take_some(stack, ids, min(args.mine, args.open))
            browsers = [await signed_in(stack) for _ in range(max(1, args.clients))]
            try:
                home = await browsers[0].get("/desk")
                listed = QUEUE_TOTAL.search(home.text)
                print(f"the queue lists {listed.group(1) if listed else '?'} open complaints")
                kinds = page_kinds(ids, args.open)
                for url in kinds.values():  # warm up: each route once
                    await fetch(browsers[0], url())
                print(f"{args.samples} samples each, journal {args.journal}:")
                for clients in sorted({1, max(1, args.clients)}):
                    for kind, next_url in kinds.items():
                        timings = await measure(browsers[:clients], next_url, args.samples)
                        results[kind, clients] = summary(timings)
                        print(report_line(kind, clients, results[kind, clients]), flush=True)
            finally:
                for browser in browsers:
                    await browser.aclose()
    finally:
        if args.data is None:
            shutil.rmtree(folder, ignore_errors=True)
    return results


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--open", type=int, default=10_000, help="open complaints")
    parser.add_argument("--samples", type=int, default=200, help="fetches per page kind")
    parser.add_argument("--clients", type=int, default=4, help="concurrent browsers, second run")
    parser.add_argument("--concurrency", type=int, default=32, help="complaints started at once")
    parser.add_argument("--breached", type=float, default=0.05, help="share made to breach")
    parser.add_argument("--mine", type=int, default=50, help="complaints the agent takes")
    parser.add_argument("--journal", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--data", type=Path, help="keep (and reuse) the stack's data here")
    args = parser.parse_args(argv)
    if args.data is not None and args.journal != "sqlite":
        parser.error("--data keeps a SQLite journal only (the PostgreSQL server is thrown away)")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, Python {sys.version}")
    results = asyncio.run(run(args))
    print(markdown(results))


if __name__ == "__main__":
    main()
