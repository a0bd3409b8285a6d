"""The command line: run the chosen scenarios on one stack and write the report."""

import argparse
import asyncio
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from bench.reliability.report import met, report, table
from bench.reliability.scenarios import Result, scenario_run
from bench.reliability.settings import FINDINGS, SCENARIOS
from bench.reliability.stack import running_stack


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench.reliability", description="The fault suite (issue 17)."
    )
    parser.add_argument("--complaints", type=int, default=200, help="per scenario")
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--rate", type=float, default=4.0, help="filings a second")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--kill-every", type=float, default=4.0)
    parser.add_argument(
        "--kills",
        type=int,
        default=None,
        help="worker-kill: this many kills (default: every "
        "--kill-every seconds through intake and escalations)",
    )
    parser.add_argument(
        "--bad-deploy", type=float, default=20.0, help="seconds the bad deploy runs"
    )
    parser.add_argument("--notes", type=int, default=2000, help="long-history: notes added")
    parser.add_argument(
        "--ledger",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="the workers' shared sent-ledger (postgresql needs a worker.py that takes its URL)",
    )
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
        async with running_stack(folder, args.workers, args.ledger) as stack:
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
