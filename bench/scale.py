"""Memory and storage against open complaints (issue 18): server RSS, worker RSS and database
bytes per open complaint at 1k / 10k / 100k, and the worker's memory per cached workflow.

    .venv/bin/python -m bench.scale [--open 1000,10000,100000] [--time-box 2400]
        [--cache N] [--sweep 100,250,500,1000] [--concurrency 32] [--window 64] [--write-docs]

One stack as `bench/desk_pages.py` starts it (dev server with its SQLite file in WAL mode,
`worker.py` and the API as processes of their own, rate limits off). Complaints are started as
that benchmark starts them: a `ComplaintWorkflow` with the brand's policy, the country's
calendar and `journal=True`, by the bench's own client, `--concurrency` at a time, with at most
`--window` started and not yet in the journal (no more complaints in flight than the worker
caches: a worker replays a complaint evicted between two of its tasks, and thrashes); they stay
open (their first deadline is days away). At each level of `--open` the bench waits until the
stack is idle, then reads each process's RSS and the databases'
bytes. A level that would not finish within `--time-box` (judged from the rate so far) is not
run; its figures are extrapolated linearly from the last two measured levels and marked so.

Then the cache sweep: the stack's worker is stopped and, for each `--sweep` size, a fresh worker
with that `COMPLAINTS_MAX_CACHED_WORKFLOWS` answers a query for as many open complaints as its
cache holds (each replayed once, then kept): its RSS cold and full gives memory per cached
workflow. `--write-docs` puts the tables in docs/benchmarks.md and the plot in
docs/img/bench-scale.png.
"""

import argparse
import asyncio
import contextlib
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from temporalio.client import Client

from bench import plots
from bench.desk_pages import (
    Stack,
    complaint_id_of,
    complaint_start,
    running_stack,
    spawn,
    until_journaled,
)
from bench.resources import MB, rss_mb, sqlite_bytes, until_idle
from bench.run import machine, replace_block
from domain.engine_room import complaint_static_details, complaint_summary
from domain.policy_files import load_policy_set
from harness.samples import POLICY_DIR
from workflows.complaint import ComplaintWorkflow
from workflows.ids import workflow_id
from workflows.settings import EngineSettings

ROOT = Path(__file__).resolve().parent.parent
PLOT = ROOT / "docs" / "img" / "bench-scale.png"
BEGIN = "<!-- bench/scale.py writes from here -->"
END = "<!-- bench/scale.py writes up to here -->"
DEFAULT_CACHE: int = EngineSettings.model_fields["max_cached_workflows"].default
TARGET_WORKER_MB = 256.0


@dataclass(frozen=True)
class Sample:
    """The stack at `open` open complaints."""

    open: int
    server_mb: float
    worker_mb: float
    api_mb: float
    server_db_bytes: int
    journal_bytes: int
    extrapolated: bool = False


@dataclass(frozen=True)
class CachePoint:
    """A worker with a sticky cache of `cache`: RSS cold, and with its cache full."""

    cache: int
    cold_mb: float
    full_mb: float

    @property
    def per_workflow_kb(self) -> float:
        return (self.full_mb - self.cold_mb) * 1024 / self.cache if self.cache else 0.0


def sample(stack: Stack, open_count: int, folder: Path) -> Sample:
    assert stack.database is not None
    return Sample(
        open=open_count,
        server_mb=rss_mb(stack.processes["server"]),
        worker_mb=rss_mb(stack.processes["worker"]),
        api_mb=rss_mb(stack.processes["api"]),
        server_db_bytes=sqlite_bytes(stack.database),
        journal_bytes=sqlite_bytes(folder / "journal.sqlite3"),
    )


async def start_complaints(
    stack: Stack, first: int, last: int, concurrency: int, window: int
) -> None:
    """Complaints `first` … `last - 1`, as `bench/desk_pages.py` starts them (no breaches), with
    never more than `window` started and not yet in the journal."""
    policies = load_policy_set(POLICY_DIR)
    numbers = iter(range(first, last))
    in_flight: set[str] = set()
    room = asyncio.Condition()
    started = time.perf_counter()

    async def starter() -> None:
        for number in numbers:
            async with room:
                await room.wait_for(lambda: len(in_flight) < window)
                in_flight.add(complaint_id_of(number))
            start = complaint_start(number, policies, None)
            await stack.client.start_workflow(
                ComplaintWorkflow.run,
                start,
                id=workflow_id(start.complaint_id),
                task_queue=stack.task_queue,
                static_summary=complaint_summary(start.complaint_id, start.intake, start.policy),
                static_details=complaint_static_details(start.intake, start.policy),
            )

    async def journal_watch() -> None:
        done, last_said = 0, time.perf_counter()
        while True:
            await asyncio.sleep(0.5)
            journaled = {
                c for c in list(in_flight) if await asyncio.to_thread(stack.journal.has, c)
            }
            async with room:
                in_flight.difference_update(journaled)
                room.notify_all()
            done += len(journaled)
            if time.perf_counter() - last_said > 30:
                last_said = time.perf_counter()
                rate = done / (last_said - started)
                print(f"  {first + done}/{last} journaled ({rate:.1f}/s)", flush=True)

    watch = asyncio.create_task(journal_watch())
    try:
        await asyncio.gather(*(starter() for _ in range(concurrency)))
    finally:
        watch.cancel()


def extrapolate(measured: list[Sample], open_count: int) -> Sample:
    """A level not run: the databases' bytes on the straight line through the last two measured
    levels (storage grows with each complaint's history). Memory is not extrapolated: the
    worker's is bounded by its cache and the server's by its own caches, not proportional to
    the open complaints (NaN: shown as "—")."""
    low, high = measured[-2], measured[-1]
    share = (open_count - high.open) / (high.open - low.open)

    def line(a: float, b: float) -> float:
        return b + (b - a) * share

    return Sample(
        open=open_count,
        server_mb=math.nan,
        worker_mb=math.nan,
        api_mb=math.nan,
        server_db_bytes=round(line(low.server_db_bytes, high.server_db_bytes)),
        journal_bytes=round(line(low.journal_bytes, high.journal_bytes)),
        extrapolated=True,
    )


async def grow(stack: Stack, folder: Path, args: argparse.Namespace) -> list[Sample]:
    """The stack at 0 and at each level of `--open`, or extrapolated past the time box."""
    began = time.monotonic()
    await until_idle([stack.processes["server"], stack.processes["worker"]], within=60)
    samples = [sample(stack, 0, folder)]
    print(f"  0 open: {samples[0]}", flush=True)
    for level in args.open:
        measured = [s for s in samples if not s.extrapolated]
        have = measured[-1].open
        elapsed = time.monotonic() - began
        rate = have / elapsed if have else None
        if rate and elapsed + (level - have) / rate > args.time_box:
            guess = (level - have) / rate / 60
            print(f"  {level} open would take ~{guess:.0f} more minutes: extrapolated", flush=True)
            samples.append(extrapolate(measured, level))
            continue
        started = time.perf_counter()
        await start_complaints(stack, have, level, args.concurrency, args.window)
        await until_journaled(stack, [complaint_id_of(n) for n in range(have, level)])
        await until_idle([stack.processes["server"], stack.processes["worker"]])
        samples.append(sample(stack, level, folder))
        took = time.perf_counter() - started
        print(f"  {level} open ({took:.0f} s): {samples[-1]}", flush=True)
    return samples


async def cache_sweep(
    stack: Stack, folder: Path, sizes: list[int], open_count: int
) -> list[CachePoint]:
    """The stack's worker stopped; per size, a fresh worker filling its cache by queries."""
    worker = psutil.Process(stack.processes["worker"])
    worker.terminate()
    await asyncio.to_thread(worker.wait, 60)
    points = []
    for size in sizes:
        environment = stack.environment | {"COMPLAINTS_MAX_CACHED_WORKFLOWS": str(size)}
        log = folder / "logs" / f"sweep-{size}.log"
        process = await spawn(environment, log, "worker.py")
        try:
            await asyncio.sleep(8)  # imported, connected and polling
            cold = rss_mb(process.pid)
            await query_views(stack.client, min(size, open_count))
            await until_idle([process.pid])
            points.append(CachePoint(size, cold, rss_mb(process.pid)))
            print(f"  cache {size}: {points[-1]} ({points[-1].per_workflow_kb:.0f} KB each)")
        finally:
            process.terminate()
            await process.wait()
    return points


async def query_views(client: Client, count: int, concurrency: int = 8) -> None:
    """Query complaints 0 … `count - 1` (each lands in the worker's cache)."""
    numbers = iter(range(count))

    async def asker() -> None:
        for number in numbers:
            handle = client.get_workflow_handle(workflow_id(complaint_id_of(number)))
            await handle.query(ComplaintWorkflow.view)

    await asyncio.gather(*(asker() for _ in range(concurrency)))


async def run(args: argparse.Namespace) -> tuple[list[Sample], list[CachePoint]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    cache = {"COMPLAINTS_MAX_CACHED_WORKFLOWS": str(args.cache)}
    try:
        async with running_stack(folder, "sqlite", worker_environment=cache) as stack:
            print(f"growing to {args.open} open complaints (worker cache {args.cache})")
            samples = await grow(stack, folder, args)
            measured = max(s.open for s in samples if not s.extrapolated)
            points = []
            if args.sweep and measured:
                print(f"cache sweep {args.sweep} over {measured} open complaints", flush=True)
                points = await cache_sweep(stack, folder, args.sweep, measured)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return samples, points


def per_complaint(samples: list[Sample]) -> str:
    """Each level's figures and its cost per open complaint over the empty stack."""
    base = samples[0]
    lines = [
        "| open complaints | server RSS MB | worker RSS MB | API RSS MB | server DB MB | "
        "journal MB | server KB / open | server DB KB / open | journal KB / open |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in samples:
        mark = " (extrapolated)" if s.extrapolated else ""
        per = [
            _per_open(s.server_mb - base.server_mb, 1024, s.open),
            _per_open(s.server_db_bytes - base.server_db_bytes, 1 / 1024, s.open),
            _per_open(s.journal_bytes - base.journal_bytes, 1 / 1024, s.open),
        ]
        cells = [
            f"{s.open:,}{mark}",
            *(_mb(value) for value in (s.server_mb, s.worker_mb, s.api_mb)),
            f"{s.server_db_bytes / MB:.1f}",
            f"{s.journal_bytes / MB:.1f}",
            *per,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _mb(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.0f}"


def _per_open(growth: float, scale_by: float, open_count: int) -> str:
    """Growth over the empty stack per open complaint, in KB."""
    if not open_count or math.isnan(growth):
        return "—"
    return f"{growth * scale_by / open_count:.1f}"


def cache_table(points: list[CachePoint]) -> str:
    lines = [
        "| worker cache (workflows) | RSS cold MB | RSS cache full MB | KB per cached workflow | "
        f"≤ {TARGET_WORKER_MB:.0f} MB |",
        "|---|---|---|---|---|",
    ]
    for p in points:
        ok = "pass" if p.full_mb <= TARGET_WORKER_MB else "fail"
        lines.append(
            f"| {p.cache:,} | {p.cold_mb:.0f} | {p.full_mb:.0f} | {p.per_workflow_kb:.0f} | {ok} |"
        )
    return "\n".join(lines)


def report(
    samples: list[Sample], points: list[CachePoint], args: argparse.Namespace, where: str
) -> str:
    measured = [s for s in samples if not s.extrapolated and s.open]
    worst = max((s.worker_mb for s in measured), default=float("nan"))
    verdict = "pass" if worst <= TARGET_WORKER_MB else "fail"
    argv = " ".join(args.argv)
    parts = [
        BEGIN,
        f"Run {datetime.now(UTC):%d %B %Y %H:%M} UTC: `.venv/bin/python -m bench.scale {argv}` "
        f"(worker cache {args.cache}).",
        "",
        f"Machine: {where}.",
        "",
        per_complaint(samples),
        "",
        f"Worker RSS at most {worst:.0f} MB over the measured levels with a cache of "
        f"{args.cache}: target ≤ {TARGET_WORKER_MB:.0f} MB, **{verdict}**.",
    ]
    if points:
        parts += ["", cache_table(points)]
    parts += ["", f"![RSS and bytes against open complaints](img/{PLOT.name})", END]
    return "\n".join(parts)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    numbers = lambda text: [int(n) for n in text.split(",") if n]  # noqa: E731
    parser.add_argument("--open", type=numbers, default=[1000, 10_000, 100_000])
    parser.add_argument("--time-box", type=float, default=2400, help="seconds for the levels")
    parser.add_argument("--cache", type=int, default=DEFAULT_CACHE, help="worker's cache size")
    parser.add_argument("--sweep", type=numbers, default=[100, 250, 500, 1000])
    parser.add_argument("--concurrency", type=int, default=32, help="complaints started at once")
    parser.add_argument("--window", type=int, default=64, help="started, not yet journaled")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--plot", type=Path, default=PLOT)
    args = parser.parse_args(argv)
    args.argv = [a for a in (sys.argv[1:] if argv is None else argv) if a != "--write-docs"]
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse(argv)
    load = os.getloadavg()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {load[0]:.1f}", flush=True)
    samples, points = asyncio.run(run(args))
    text = report(samples, points, args, machine(load))
    print(text)
    plots.scale(samples, args.plot)
    if args.write_docs:
        replace_block(args.docs, BEGIN, END, text)
        print(f"written to {args.docs} and {args.plot}")
    return {"samples": [asdict(s) for s in samples], "cache": [asdict(p) for p in points]}


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
