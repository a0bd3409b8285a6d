"""Issue 18's large breach burst: `--count` (10,000) deadlines in the same second, the project
against the plain baseline on one stack, with what saturates while it drains.

    .venv/bin/python -m bench.big_burst [--count 10000] [--cache N] [--write-docs]

The stack and both bursts are `bench.run`'s (`make bench` runs them at 1,000): the plain
baseline's workflows sleep to one instant and each sends one email; the project's complaints,
started as the intake starts them, breach L1 at one instant and email the L2 owner. While the
project's burst drains, each process's CPU time and RSS are sampled every second: the busiest
process, near one CPU second a second, is the bottleneck. `--write-docs` puts the result in
docs/benchmarks.md, between its own markers.
"""

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from temporalio.client import Client

from bench import plain_temporal, project
from bench.desk_pages import running_stack
from bench.measure import ArrivalSink
from bench.resources import cpu_by_role, rss_mb
from bench.run import BIG_BURST_BEGIN as BEGIN
from bench.run import BIG_BURST_END as END
from bench.run import DOCS, Figures, cache_environment, machine, replace_block

SAMPLE_SECONDS = 1.0


@dataclass(frozen=True)
class Sample:
    at: float
    cpu: dict[str, float]
    """CPU seconds used so far, by role."""
    rss_mb: dict[str, float]


async def sampling(processes: dict[str, int], into: list[Sample], stop: asyncio.Event) -> None:
    """Each process's CPU time and RSS every `SAMPLE_SECONDS` until `stop`."""
    while not stop.is_set():
        into.append(_sample(processes))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_SECONDS)
    into.append(_sample(processes))


def _sample(processes: dict[str, int]) -> Sample:
    rss = {role: rss_mb(pid) for role, pid in processes.items()}
    return Sample(time.time(), cpu_by_role(processes), rss)


@dataclass(frozen=True)
class BurstResults:
    plain: Figures
    project: Figures
    lead_s: float
    """From starting the project's complaints to their instant."""
    use: dict[str, float]
    """CPU seconds a second while the project's burst drained, by role."""
    peak_rss_mb: dict[str, float]


def use_between(samples: list[Sample], start: float, end: float) -> dict[str, float]:
    """CPU seconds a second, by role, from the last sample before `start` to the first after
    `end`."""
    first = next((s for s in reversed(samples) if s.at <= start), samples[0])
    last = next((s for s in samples if s.at >= end), samples[-1])
    seconds = max(last.at - first.at, 1e-9)
    return {role: (last.cpu[role] - first.cpu[role]) / seconds for role in last.cpu}


async def run(args: argparse.Namespace) -> BurstResults:
    stamp = datetime.now(UTC).strftime("%H%M%S")
    sink = ArrivalSink()
    cache = cache_environment(args)
    with tempfile.TemporaryDirectory(prefix="big-burst-") as folder:
        async with running_stack(Path(folder), "sqlite", mail=sink, worker_environment=cache) as (
            stack
        ):
            target = stack.client.service_client.config.target_host
            plain_client = Client(stack.client.service_client, namespace="default")
            log = Path(folder) / "logs" / "plain-worker.log"
            async with plain_temporal.plain_worker(target, stack.smtp_port, log):
                print(f"plain burst: {args.count:,}", flush=True)
                lead = args.plain_lead or plain_temporal.burst_lead(args.count)
                plain, _ = await plain_temporal.burst(plain_client, sink, args.count, lead, stamp)
                print(f"  {plain}", flush=True)
            samples: list[Sample] = []
            stop = asyncio.Event()
            sampler = asyncio.create_task(sampling(stack.processes, samples, stop))
            print(f"project burst: {args.count:,}", flush=True)
            started = time.time()
            lead = args.lead or project.burst_lead(args.count)
            mine, _ = await project.burst(stack, sink, args.count, lead, stamp)
            drained = time.time()
            stop.set()
            await sampler
            print(f"  {mine}", flush=True)
    instant = drained - mine["max_s"]
    return BurstResults(
        plain=plain,
        project=mine,
        lead_s=instant - started,
        use=use_between(samples, instant, drained),
        peak_rss_mb={role: max(s.rss_mb[role] for s in samples) for role in samples[-1].rss_mb},
    )


def report(results: BurstResults, args: argparse.Namespace, about: str) -> str:
    plain, mine = results.plain, results.project
    use, peak = results.use, results.peak_rss_mb
    ratio = mine["max_s"] / plain["max_s"]
    rows = [
        "| measure | project | plain Temporal | project / plain |",
        "|---|---|---|---|",
        f"| escalation email after the instant: p50 (s) | {mine['p50_s']:.1f} | "
        f"{plain['p50_s']:.1f} | {mine['p50_s'] / plain['p50_s']:.2f}x |",
        f"| escalation email after the instant: max (s) | {mine['max_s']:.1f} | "
        f"{plain['max_s']:.1f} | {ratio:.2f}x |",
        f"| emails missing | {mine['missing']:.0f} | {plain['missing']:.0f} | — |",
    ]
    roles = sorted(use)
    usage = [
        "| process | CPU seconds a second while the burst drained | peak RSS (MB) |",
        "|---|---|---|",
        *(f"| {role} | {use[role]:.2f} | {peak[role]:.0f} |" for role in roles),
    ]
    return "\n".join(
        [
            BEGIN,
            f"Run {datetime.now(UTC):%d %B %Y %H:%M} UTC: `.venv/bin/python -m bench.big_burst "
            f"{' '.join(a for a in sys.argv[1:] if a != '--write-docs')}` ({args.count:,} due "
            f"in the same second, each side; the project's complaints started and acknowledged "
            f"in the {results.lead_s:.0f} s before the instant).",
            "",
            f"Machine: {about}.",
            "",
            *rows,
            "",
            *usage,
            END,
        ]
    )


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="deadlines at one instant")
    parser.add_argument("--lead", type=float, help="seconds to start the project's burst")
    parser.add_argument("--plain-lead", type=float, help="seconds to start the plain burst")
    parser.add_argument("--cache", type=int, help="workflows the worker caches")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--docs", type=Path, default=DOCS, help="the Markdown to update")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    load = os.getloadavg()
    results = asyncio.run(run(args))
    text = report(results, args, machine(load))
    print(text)
    if args.write_docs:
        replace_block(args.docs, BEGIN, END, text)
        print(f"written to {args.docs}")


if __name__ == "__main__":
    main()
