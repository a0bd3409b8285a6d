"""The CRM feed's outbox in the case journal, on SQLite and on PostgreSQL: queued with the step
once, claimed by one dispatcher at a time, in order per complaint; two dispatchers against one
PostgreSQL journal never post an event twice. Settings refused with a clear message."""

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from activities.crm_feed import (
    EVENTS_METRIC,
    CrmFeedConfigError,
    CrmFeeds,
    CrmFeedSettings,
    FeedDispatcher,
    sign,
)
from activities.feed_outbox import Delivery
from activities.journal_store import CaseJournal
from activities.models import JournalEntry
from domain.commands import AddNote
from domain.complaint import Complaint
from domain.crm_feed import Outcome, outcome_of, retry_delay
from domain.filing import open_complaint
from domain.history import Actor, ActorRole
from domain.view import view_of
from harness.crm_receiver import verify
from harness.mailbox import free_port
from harness.samples import SEED_MATRIX, sample_intake
from harness.serving import serving
from harness.waiting import eventually
from workflows.connection import runtime_with_metrics

NOW = datetime.now(UTC)
PRIYA = Actor(role=ActorRole.AGENT, name="Priya")
SECRET = "0123456789abcdef0123456789abcdef-crm"


def feeds_to(url: str, brand: str = "default") -> CrmFeeds:
    return CrmFeeds.model_validate(
        {"brands": {brand: [{"name": "c4c", "url": url, "secret": SECRET}]}}
    )


def written(journal: CaseJournal, complaint: Complaint) -> None:
    view = view_of(complaint)
    journal.record(
        JournalEntry(
            view=view, steps=len(view.history), reason_category="o", warn_at=None, zone="UTC"
        )
    )


def test_steps_are_queued_once_and_claimed_in_order_one_lease_at_a_time(database: str) -> None:
    feeds = feeds_to("http://127.0.0.1:9/hook")
    journal = CaseJournal(database, feeds=feeds)
    complaint = open_complaint("c1", sample_intake(), SEED_MATRIX, NOW)
    AddNote(by=PRIYA, text="called").act(complaint, NOW)
    written(journal, complaint)
    written(journal, complaint)  # a retried write queues nothing more
    lease = timedelta(minutes=1)
    now = datetime.now(UTC) + timedelta(seconds=1)  # the rows are due from when written
    [first] = journal.claim_feed_events(feeds.endpoints, now, "a", lease, 10)
    assert (first.seq, first.attempts, first.event_id) == (1, 1, "c1:1")
    assert json.loads(first.body)["type"] == "opened"
    assert journal.claim_feed_events(feeds.endpoints, now, "b", lease, 10) == []  # leased, and
    # step 2 waits for step 1
    later = now + timedelta(seconds=1)
    assert journal.settle_feed_event(first, Delivery.PENDING, later, later, 503, "HTTP 503")
    [again] = journal.claim_feed_events(feeds.endpoints, later, "b", lease, 10)
    assert (again.seq, again.attempts) == (1, 2)
    assert not journal.settle_feed_event(first, Delivery.DELIVERED, later, None, 200, None)
    assert journal.settle_feed_event(again, Delivery.DELIVERED, later, None, 200, None)
    [second] = journal.claim_feed_events(feeds.endpoints, later, "c", lease, 10)
    assert (second.seq, json.loads(second.body)["type"]) == (2, "note_added")
    # a dispatcher that died: its lease runs out and another takes the event
    expired = later + lease + timedelta(seconds=1)
    [taken] = journal.claim_feed_events(feeds.endpoints, expired, "d", lease, 10)
    assert (taken.seq, taken.lease) == (2, "d")
    [status] = journal.feed_status()
    assert status.counts == {"delivered": 1, "pending": 1}


def test_only_configured_brands_queue_and_unknown_brands_are_refused(tmp_path: Path) -> None:
    feeds = feeds_to("https://crm.example.com/hook", brand="xiaomi-in")
    journal = CaseJournal(f"sqlite:///{tmp_path / 'j.sqlite3'}", feeds=feeds)
    written(journal, open_complaint("c2", sample_intake(), SEED_MATRIX, NOW))  # default brand
    assert journal.feed_status() == []
    feeds.check_brands(["default", "xiaomi-in"])
    with pytest.raises(CrmFeedConfigError, match=r"unknown brands \['xiaomi-in'\]"):
        feeds.check_brands(["default"])


def test_settings_refuse_plain_http_short_secrets_and_say_so_without_the_secret(
    tmp_path: Path,
) -> None:
    plain = '{"default": [{"name": "c4c", "url": "http://crm.example.com/h", "secret": "%s"}]}'
    with pytest.raises(CrmFeedConfigError, match="must be https") as refused:
        CrmFeedSettings(crm_feeds=plain % SECRET).feeds()  # type: ignore[arg-type]
    assert SECRET not in str(refused.value)
    short = '{"default": [{"name": "c4c", "url": "https://crm.example.com/h", "secret": "x"}]}'
    with pytest.raises(CrmFeedConfigError, match="secret"):
        CrmFeedSettings(crm_feeds=short).feeds()  # type: ignore[arg-type]
    file = tmp_path / "feeds.yaml"
    file.write_text(
        f"xiaomi-in:\n  - name: c4c\n    url: https://crm.example.com/h\n    secret: {SECRET}\n"
        "    kinds: [opened, escalated, resolved]\n"
    )
    feeds = CrmFeedSettings(crm_feeds_file=file).feeds()
    [endpoint] = feeds.for_brand("xiaomi-in")
    assert endpoint.kinds is not None and "note_added" not in endpoint.kinds


def test_signatures_outcomes_and_backoff() -> None:
    body = '{"id": "c1:1"}'
    at = int(NOW.timestamp())
    header = sign(SECRET, body, at)
    assert verify(SECRET, header, body.encode(), now=at + 10) is None
    assert verify(SECRET, header, body.encode() + b" ", now=at) == "signature does not match"
    assert verify(SECRET, header, body.encode(), now=at + 3600) is not None  # a replay
    assert [outcome_of(s) for s in (200, 204, 400, 401, 409, 429, 500, 503, 301)] == [
        Outcome.DELIVERED,
        Outcome.DELIVERED,
        Outcome.FAILED,
        Outcome.FAILED,
        Outcome.RETRY,
        Outcome.RETRY,
        Outcome.RETRY,
        Outcome.RETRY,
        Outcome.FAILED,
    ]
    first, longest = timedelta(seconds=2), timedelta(minutes=10)
    for attempts in range(1, 20):
        delay = retry_delay(attempts, first, longest)
        ceiling = min(first * 2 ** (attempts - 1), longest)
        assert ceiling / 2 <= delay <= ceiling
    assert retry_delay(1, first, longest, asked=timedelta(seconds=30)) == timedelta(seconds=30)


@pytest.mark.server
async def test_two_dispatchers_on_postgresql_never_post_an_event_twice(postgres_url: str) -> None:
    """Two dispatchers, each with its own connections (as two worker processes have), race
    for 8 complaints x 6 steps; the receiver is slow, so claims overlap."""
    port = free_port()
    feeds = feeds_to(f"http://127.0.0.1:{port}/complaint-events")
    writer = CaseJournal(postgres_url, feeds=feeds)
    for number in range(8):
        complaint = open_complaint(f"c{number}", sample_intake(), SEED_MATRIX, NOW)
        for note in range(5):
            AddNote(by=PRIYA, text=f"note {note}").act(complaint, NOW)
        written(writer, complaint)
    posted: list[str] = []
    in_flight: Counter[str] = Counter()
    overlaps: list[str] = []
    app = FastAPI()

    @app.post("/complaint-events")
    async def take(request: Request) -> Response:
        key = request.headers["Idempotency-Key"]
        in_flight[key] += 1
        if in_flight[key] > 1:
            overlaps.append(key)
        await asyncio.sleep(0.02)
        posted.append(key)
        in_flight[key] -= 1
        return Response(status_code=204)

    fast = CrmFeedSettings(crm_feed_poll_interval=timedelta(milliseconds=20))
    first = FeedDispatcher(CaseJournal(postgres_url, feeds=feeds), feeds, fast, batch=4)
    second = FeedDispatcher(CaseJournal(postgres_url, feeds=feeds), feeds, fast, batch=4)
    async with serving(app, port), first.running(), second.running():
        await eventually(lambda: len(posted) >= 48)
        await asyncio.sleep(0.3)  # anything posted twice would arrive by now
    assert overlaps == []
    assert sorted(Counter(posted).values()) == [1] * 48
    for number in range(8):
        seqs = [int(k.split(":")[1]) for k in posted if k.startswith(f"c{number}:")]
        assert seqs == [1, 2, 3, 4, 5, 6]
    [status] = writer.feed_status()
    assert status.counts == {"delivered": 48}


@pytest.mark.server
async def test_an_event_failing_past_the_give_up_age_is_abandoned_counted_and_can_be_retried(
    tmp_path: Path,
) -> None:
    feeds = feeds_to(f"http://127.0.0.1:{free_port()}/complaint-events")  # nobody listens
    journal = CaseJournal(f"sqlite:///{tmp_path / 'journal.sqlite3'}", feeds=feeds)
    written(journal, open_complaint("c9", sample_intake(), SEED_MATRIX, NOW))
    metrics_port = free_port()
    runtime = runtime_with_metrics(f"127.0.0.1:{metrics_port}")
    impatient = CrmFeedSettings(
        crm_feed_first_retry=timedelta(milliseconds=50),
        crm_feed_longest_retry=timedelta(milliseconds=100),
        crm_feed_give_up_after=timedelta(milliseconds=500),
        crm_feed_poll_interval=timedelta(milliseconds=20),
    )
    dispatcher = FeedDispatcher(journal, feeds, impatient, runtime.metric_meter)

    def abandoned() -> bool:
        [status] = journal.feed_status()
        return status.counts.get("abandoned") == 1

    async with dispatcher.running():
        await eventually(abandoned)
        await asyncio.sleep(0.2)  # nothing more is tried
    [status] = journal.feed_status()
    assert status.counts == {"abandoned": 1}
    assert status.last_problems[0].startswith("c9:1 abandoned after")
    assert "ConnectionError" in status.last_problems[0]
    async with httpx.AsyncClient() as http:
        scraped = (await http.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
    counted = {
        line.split("outcome=")[1].split('"')[1]: float(line.rsplit(" ", 1)[1])
        for line in scraped.splitlines()
        if line.startswith(EVENTS_METRIC) and "outcome=" in line
    }
    assert counted["abandoned"] == 1 and counted["retried"] >= 1

    assert journal.retry_feed_events("c9") == 1
    [status] = journal.feed_status()
    assert status.counts == {"pending": 1}
