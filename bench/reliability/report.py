"""docs/reliability.md: a table per scenario and which targets each met."""

import argparse
from datetime import UTC, datetime

from bench.reliability.scenarios import Result
from bench.reliability.settings import LATE_ALLOWANCE, RATE_LIMITS, WINDOW_SECONDS


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} s"


def _cell(value: str) -> str:
    """A value safe in one Markdown table cell."""
    return value.replace("|", "\\|").replace("\n", " ")


def server_errors(result: Result) -> int:
    """Answers with a 5xx other than 503 (which means: try again)."""
    return sum(n for code, n in result.observed.statuses.items() if code >= 500 and code != 503)


def table(result: Result) -> str:
    observed, faults = result.observed, result.faults
    codes = ", ".join(f"{code}: {n}" for code, n in sorted(observed.statuses.items()))
    if observed.transport_errors:
        codes += f"; connection errors: {observed.transport_errors}"
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
        ("5xx other than 503", f"{server_errors(result)}"),
        *faults.measures,
        ("the scenario's own checks: hard targets missed", f"{len(faults.violations)}"),
        ("the scenario's own checks: other targets missed", f"{len(faults.shortfalls)}"),
        ("scenario wall time", _seconds(result.seconds)),
    ]
    lines = [f"### {result.scenario}", "", "| measure | value |", "|---|---|"]
    lines += [f"| {name} | {_cell(value)} |" for name, value in rows]
    details = [
        *faults.violations[:5],
        *faults.shortfalls[:5],
        *result.lost[:5],
        *result.missing[:5],
        *result.observed.given_up[:5],
        *result.duplicates[:5],
    ]
    if details:
        lines += ["", "First problems:", "", *(f"- `{line}`" for line in details)]
    return "\n".join(lines)


def met(result: Result) -> bool:
    return not (
        result.lost
        or result.missing
        or result.over_target
        or server_errors(result)
        or result.observed.id_mismatches
        or result.observed.given_up
        or result.faults.violations
        or result.faults.shortfalls
    )


def report(args: argparse.Namespace, results: list[Result], command: str) -> str:
    head = [
        "# Reliability: the fault suite",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on this machine (2 shared cores) with",
        "",
        f"    {command}",
        "",
        "The full run is `make reliability` (over 1,000 complaints and 50 worker kills, about 15 "
        "minutes); `make test` runs a small version (`tests/bench/test_reliability.py`). "
        f"In this run: {sum(r.filed for r in results)} complaints, "
        f"{sum(r.faults.injected for r in results if r.scenario == 'worker-kill')} worker kills "
        "in `worker-kill`.",
        "",
        f"The stack: Temporal dev server (SQLite file), {args.workers} `worker.py` process(es), "
        "`uvicorn api.main:app` (rate limits set explicitly: "
        + ", ".join(f"{k.lower()} `{v}`" for k, v in RATE_LIMITS.items())
        + "), an aiosmtpd sink counting by Message-ID. Policy `fault-fast`: two levels of "
        f"{WINDOW_SECONDS} s, five emails owed per complaint within {2 * WINDOW_SECONDS} s of "
        f"filing; filings at {args.rate:g}/s through `POST /complaints` with an Idempotency-Key, "
        "the client retrying 503, 429 and broken connections. See `bench/reliability/`.",
        "",
        "Targets: 0 complaints lost, 0 emails missing, duplicates counted (at-least-once), "
        f"every email no later than due + outage + {LATE_ALLOWANCE:g} s, no 5xx other than 503.",
        "",
        "| scenario | complaints | faults | targets met |",
        "|---|---|---|---|",
        *(
            f"| {r.scenario} | {r.filed} | {r.faults.injected} | {'yes' if met(r) else 'no'} |"
            for r in results
        ),
        "",
    ]
    return "\n".join(head) + "\n" + "\n\n".join(table(r) for r in results) + "\n"
