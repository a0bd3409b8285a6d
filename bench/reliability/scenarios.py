"""A scenario: complaints filed while a fault runs; the emails owed against those received."""

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import yaml

from bench.reliability.deploy import ActionsDuringBadDeploy
from bench.reliability.faults import (
    Faults,
    bad_deploy,
    kill_second_worker,
    kill_workers,
    server_outage,
    smtp_outage,
)
from bench.reliability.international import NoSmtpUtf8, international_filing
from bench.reliability.load import Observed, file_all, filing, probe, received_for
from bench.reliability.long_history import WRITERS, LongHistory
from bench.reliability.poison import Poison
from bench.reliability.settings import LATE_ALLOWANCE, POLICY, STAFF, WINDOW_SECONDS
from bench.reliability.stack import Stack, wait_for
from domain.intake import ComplaintIntake
from domain.messages import DeliveryChannel, Notification, NotificationKind
from domain.policy import EscalationPolicy
from domain.simulation import simulated_complaint


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


Reroute = Callable[[ComplaintIntake, Notification, DeliveryChannel], str | None]
"""`kind/role/channel` of what the sink receives for one message owed (where it cannot go as
owed: the fallback), or None for one the scenario's own checks count instead."""


def owed(
    view: dict[str, Any], policy: EscalationPolicy, reroute: Reroute | None = None
) -> dict[str, datetime]:
    """`complaint/kind/role/channel` -> due time of each email the complaint owes, by the
    workflow's own logic. Step numbers are left out: the real history has delivery steps
    between the ladder's (each kind goes once to each role under this policy)."""
    opened = datetime.fromisoformat(view["opened_at"])
    intake = ComplaintIntake.model_validate(view["intake"])
    horizon = opened + timedelta(seconds=3 * WINDOW_SECONDS)
    complaint = simulated_complaint(intake, policy, None, opened, [], until=horizon)
    at = {step.seq: step.at for step in complaint.history}
    due: dict[str, datetime] = {}
    for n in complaint.outbox:
        for channel in n.channels:
            received = f"{n.kind.value}/{n.recipient.role}/{channel.value}"
            if reroute is not None and (received := reroute(intake, n, channel)) is None:
                continue
            due[f"{view['id']}/{received}"] = at[n.step]
    return due


def message(key: str) -> str:
    """An idempotency key (`complaint/step/kind/role/channel`) without its step number, but an
    owner's notice of an undelivered message: one per message, several may go to one owner."""
    complaint, _step, rest = key.split("/", 2)
    if rest.startswith(f"{NotificationKind.DELIVERY_FAILED.value}/"):
        return key
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
        checks: Poison | LongHistory | ActionsDuringBadDeploy | None = None
        international: NoSmtpUtf8 | None = None
        fault: Coroutine[Any, Any, None] | None = None
        if name == "worker-kill":
            kills = f"{args.kills} times" if args.kills else "through intake and escalations"
            faults.described = (
                f"worker SIGKILL every {args.kill_every:g} s ({kills}), restarted at once"
            )
            fault = kill_workers(stack, faults, args.kill_every, stop_faults, args.kills)
        elif name == "two-workers":
            faults.described = (
                "a second worker.py on the task queue (one SQLite sent-ledger for both), SIGKILL "
                "half-way through intake, not restarted"
            )
            fault = kill_second_worker(stack, faults, intake_seconds / 2)
        elif name == "smtp-down":
            faults.described = f"SMTP sink stopped for {args.smtp_outage:g} s"
            fault = smtp_outage(stack, faults, intake_seconds / 3, args.smtp_outage)
        elif name == "server-kill":
            faults.described = (
                f"Temporal dev server SIGKILL, restarted on its SQLite file after "
                f"{args.server_outage:g} s"
            )
            fault = server_outage(stack, faults, intake_seconds / 3, args.server_outage)
        elif name == "bad-deploy":
            faults.described = (
                f"a worker whose ComplaintWorkflow raises replaces worker.py for "
                f"{args.bad_deploy:g} s (notes and reads sent meanwhile), then worker.py again"
            )
            checks = ActionsDuringBadDeploy(observed, faults)
            fault = bad_deploy(
                stack,
                faults,
                intake_seconds / 3,
                args.bad_deploy,
                checks.during(api, args.bad_deploy),
            )
        elif name == "poison":
            faults.described = (
                "hostile requests, non-ASCII addresses, an update and a signal sent to Temporal "
                "without the complaints key, while complaints flow"
            )
            checks = Poison(stack, observed, faults, run)
            fault = checks.during(api, min(5.0, intake_seconds / 3))
        elif name == "long-history":
            faults.described = (
                f"one complaint given {args.notes} notes ({WRITERS} at a time) while others flow"
            )
            checks = LongHistory(stack, faults, run, args.notes)
            fault = checks.during(api)
        elif name == "no-smtputf8":
            faults.described = (
                "SMTP sink without SMTPUTF8; customers' addresses in turn ASCII, an IDNA domain, "
                "a non-ASCII local part with a phone (texts through the SMS-by-email gateway), "
                "one without"
            )
            international = NoSmtpUtf8(stack, faults)
            international.begin()
        elif name == "baseline":
            faults.described = "none (the load alone)"
        else:
            faults.described = (
                "worker SIGKILL and restart after the filings, then every filing sent again "
                "with its Idempotency-Key, twice concurrently"
            )
        fault_task = asyncio.create_task(fault) if fault else None
        kills_done = asyncio.Event()
        if name == "worker-kill" and args.kills and fault_task is not None:
            fault_task.add_done_callback(lambda _: kills_done.set())
            await file_all(api, observed, name, run, count, rate, until=kills_done)
        else:
            form = international_filing if international else filing
            await file_all(api, observed, name, run, count, rate, form=form)
        if name == "worker-kill":
            await asyncio.sleep(2 * WINDOW_SECONDS)  # kills go on through the escalations
            if not args.kills:
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
        if checks is not None:
            await checks.after(api)
        views: dict[str, dict[str, Any]] = {}
        lost: list[str] = []
        for complaint in set(observed.complaint_ids.values()):
            answer = await read_back(api, complaint, observed)
            view = answer.json() if answer.status_code == 200 else None
            if view is None or view["level"] != 2 or not view["breached"]:
                lost.append(
                    f"{complaint}: {answer.status_code} "
                    f"{view and (view['level'], view['breached'])}"
                )
            if view is not None:
                views[complaint] = view
        if international is not None:
            await international.after(views)
    due: dict[str, datetime] = {}
    for view in views.values():
        due |= owed(view, policy, international.reroute if international else None)
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


READ_BACK_WITHIN = 120.0
"""How long a complaint may answer 503 (the engine still catching up) before it counts as lost."""


async def read_back(api: httpx.AsyncClient, complaint: str, observed: Observed) -> httpx.Response:
    """`GET /complaints/{id}` as a client would: a 503 (the engine catching up after the faults)
    is asked again after its Retry-After, for up to `READ_BACK_WITHIN` seconds."""
    deadline = time.monotonic() + READ_BACK_WITHIN
    while True:
        answer = await api.get(f"/complaints/{complaint}", headers=STAFF)
        observed.statuses[answer.status_code] += 1
        if answer.status_code != 503 or time.monotonic() > deadline:
            return answer
        await asyncio.sleep(float(answer.headers.get("Retry-After", "2")))
