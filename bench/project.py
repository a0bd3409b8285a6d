"""The project's side of issue 18's benchmark: `POST /complaints` against the API process, and a
burst of complaints whose L1 deadlines fall in the same second.

The burst's complaints are started as the API's intake starts them (a `ComplaintWorkflow` with
`journal=True`), by the bench's own client: the burst measures breaches, not the intake. Their
deadline lands on one instant by business time: the policy's calendar opens its working hours at
`opens` and each level's window is one business minute, so every complaint filed before `opens`
is due at `opens` + 1 minute exactly (so a burst takes a minute at least).
"""

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day

import httpx
from temporalio.client import Client

from bench.desk_pages import Stack
from bench.measure import ArrivalSink, Call, burst_figures
from domain.calendar import BusinessCalendar
from domain.engine_room import complaint_static_details, complaint_summary
from domain.identity import customer_id
from domain.intake import ComplaintIntake
from domain.policy import EscalationPolicy
from harness.credentials import CUSTOMER_ID_SECRET, bearer
from harness.samples import FORM
from workflows.complaint import ComplaintWorkflow
from workflows.ids import workflow_id
from workflows.inputs import ComplaintStart

BURST_WINDOW = timedelta(minutes=1)
"""One business minute: the shortest business window a policy can write."""
DAY_END_MARGIN = timedelta(minutes=5)
"""Working hours this short at least: time for the L1 and L2 deadlines."""
LAST_SECOND = time_of_day(23, 59, 59)


def filing(
    api: httpx.AsyncClient, run: str, domain: str, answers: Counter[int] | None = None
) -> Call:
    """Complaint n of this run, `POST /complaints` by an agent; returns on the 201 with the
    deadline, or on a 202 (filed, the deadline not confirmed within the API's wait: a worker
    behind or not polling yet), counting each status in `answers`."""

    async def call(number: int) -> None:
        form = {
            **FORM,
            "customer": {"name": f"Customer {number}", "email": f"customer{number}@{domain}"},
            "product": f"Unit {run}-{number}",
        }
        answer = await api.post("/complaints", json=form)
        if answers is not None:
            answers[answer.status_code] += 1
        if answer.status_code not in (201, 202):
            raise RuntimeError(f"POST /complaints: {answer.status_code} {answer.text[:300]}")

    return call


def api_client(stack: Stack) -> httpx.AsyncClient:
    agent = bearer("agent", "bench-intake", "Bench", ttl=timedelta(hours=2))
    limits = httpx.Limits(max_connections=64)
    return httpx.AsyncClient(base_url=stack.api, timeout=60, headers=agent, limits=limits)


def burst_policy(opens: datetime, domain: str) -> tuple[EscalationPolicy, BusinessCalendar]:
    """Three levels of one business minute each, in a UTC calendar whose working hours start at
    `opens` (today or tomorrow, seconds kept) and last an hour, or to midnight UTC."""
    start = opens.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    end = min(start + timedelta(hours=1), datetime.combine(start.date(), LAST_SECOND))
    if end - start < DAY_END_MARGIN:
        raise ValueError(f"the burst's working hours must not cross midnight UTC ({start:%H:%M})")
    hours = f"{start:%H:%M:%S}-{end:%H:%M:%S}"
    levels = [
        {
            "name": f"Level {level}",
            "owner_role": f"level{level}",
            "contacts": {"email": f"level{level}@{domain}"},
            "resolution_window": "1 business minute",
        }
        for level in (1, 2, 3)
    ]
    policy = EscalationPolicy.model_validate(
        {
            "name": "bench-burst",
            "levels": levels,
            "warnings": [],
            "realert_interval": "1h",
            "customer_decision_window": "1 day",
            "reopen_window": "1 day",
            "calendars": {
                "default": {
                    "timezone": "UTC",
                    "working_days": [0, 1, 2, 3, 4, 5, 6],
                    "hours": hours,
                }
            },
        }
    )
    entry = policy.calendars["default"]
    calendar = BusinessCalendar(
        timezone="UTC",
        working_days=frozenset(entry.working_days),
        day_start=entry.hours[0],
        day_end=entry.hours[1],
    )
    return policy, calendar


async def start_burst(
    client: Client,
    task_queue: str,
    run: str,
    count: int,
    opens: datetime,
    domain: str,
    concurrency: int = 32,
) -> None:
    """`count` complaints due at `opens` + one minute, started as the intake starts them."""
    policy, calendar = burst_policy(opens, domain)
    numbers = iter(range(count))

    async def starter() -> None:
        for number in numbers:
            email = f"customer{number}@customers.{domain}"
            intake = ComplaintIntake.model_validate(
                {
                    **FORM,
                    "customer": {"name": f"Customer {number}", "email": email},
                    "product": f"Unit {run}-{number}",
                }
            )
            start = ComplaintStart(
                complaint_id=f"burst{run}{number:06d}",
                intake=intake,
                policy=policy,
                calendar=calendar,
                customer_id=customer_id(CUSTOMER_ID_SECRET.encode(), email, None),
                journal=True,
            )
            await client.start_workflow(
                ComplaintWorkflow.run,
                start,
                id=workflow_id(start.complaint_id),
                task_queue=task_queue,
                static_summary=complaint_summary(start.complaint_id, intake, policy),
                static_details=complaint_static_details(intake, policy),
            )

    await asyncio.gather(*(starter() for _ in range(concurrency)))


def burst_lead(count: int) -> float:
    """Seconds to start a burst of `count` complaints and have them acknowledged before the
    working hours open."""
    return 5 + count / 6


async def burst(
    stack: Stack, sink: ArrivalSink, count: int, lead: float, run: str
) -> tuple[dict[str, float], list[float]]:
    """`count` complaints whose L1 deadline is one instant: lateness of the L2 owner's emails.

    They are all started within `lead` seconds, before the working hours open; the instant is a
    business minute later, time for the worker to acknowledge them all first."""
    domain = f"project-burst-{run}.example"
    opens = datetime.fromtimestamp(round(time.time() + lead), UTC)
    midnight = datetime.combine(opens.date() + timedelta(days=1), time_of_day(), UTC)
    if midnight - opens < DAY_END_MARGIN:  # the working hours cannot cross midnight UTC
        opens = midnight + timedelta(seconds=5)
    instant = opens + BURST_WINDOW
    await start_burst(stack.client, stack.task_queue, run, count, opens, domain)
    if time.time() > opens.timestamp():
        print(f"  warning: starting took longer than the {lead:.0f} s lead", flush=True)
    lead_left = max(0.0, instant.timestamp() - time.time())
    acknowledged = await sink.until(f"customers.{domain}", count, within=lead_left)
    if len(acknowledged) < count or time.time() > instant.timestamp():
        print(f"  warning: {len(acknowledged)}/{count} acknowledged by the instant", flush=True)
    await asyncio.sleep(max(0.0, instant.timestamp() - time.time()))
    arrivals = await sink.until(f"level2@{domain}", count, within=120 + count * 0.5)
    return burst_figures(instant.timestamp(), arrivals, count), [
        at - instant.timestamp() for at in arrivals
    ]
