"""How long a sent email stays unrecorded: the only window in which a crash can resend it.

The SMTP server stores the message and answers 250; the activity then writes the key to the
sent-ledger and returns. A crash in between resends on retry (same Message-ID). This sends
`--count` real emails through the real activity to a local aiosmtpd server and measures, per
message, the time from the server's accept to the ledger's commit (timed by the ledger itself).

    .venv/bin/python -m bench.notification_window --count 500
    .venv/bin/python -m bench.notification_window --count 500 --ledger postgresql://…
"""

import argparse
import asyncio
import dataclasses
import statistics
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from temporalio.testing import ActivityEnvironment

from activities.channels import ChannelSettings
from activities.email import SmtpSettings
from activities.ledger import Entry, SentLedger, ledger_location, open_ledger
from activities.models import Delivery, SentMessage
from activities.notifications import NotificationActivities
from domain.policy_files import SHIPPED_TEMPLATES
from domain.templates import TemplateCatalog
from harness.mailbox import free_port
from harness.samples import sample_delivery


class AcceptClock:
    """An SMTP handler that notes when each message was accepted."""

    def __init__(self) -> None:
        self.accepted: dict[str, float] = {}

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.content.decode(errors="replace")
        key = next(line for line in content.splitlines() if line.startswith("X-Idempotency-Key"))
        self.accepted[key.split(":", 1)[1].strip()] = time.perf_counter()
        return "250 Message accepted"


class TimedLedger:
    """A real ledger, noting when each record is committed."""

    def __init__(self, ledger: SentLedger) -> None:
        self._ledger = ledger
        self.committed: dict[str, float] = {}

    def find(self, key: str) -> Entry | None:
        return self._ledger.find(key)

    def claim(self, key: str, sent: SentMessage) -> Entry | None:
        return self._ledger.claim(key, sent)

    def mark_sent(self, key: str) -> None:
        self._ledger.mark_sent(key)
        self.committed[key] = time.perf_counter()

    def release(self, key: str) -> None:
        self._ledger.release(key)


def delivery(run: str, number: int) -> Delivery:
    return sample_delivery(f"bench-{run}/{number}/acknowledgement/customer/email")


async def measure(count: int, concurrency: int = 1, location: str | None = None) -> list[float]:
    """Per email, accept -> recorded; on the ledger `location` names (a temporary SQLite file
    when None)."""
    clock = AcceptClock()
    port = free_port()
    server = Controller(clock, hostname="127.0.0.1", port=port)
    server.start()
    run = uuid.uuid4().hex[:8]  # a shared ledger keeps earlier runs' keys
    try:
        with tempfile.TemporaryDirectory() as folder:
            where = ledger_location(location) if location else Path(folder) / "sent.sqlite3"
            ledger = TimedLedger(open_ledger(where))
            activities = NotificationActivities(
                SmtpSettings(port=port),
                ChannelSettings(sent_ledger=None),
                TemplateCatalog(SHIPPED_TEMPLATES),
                ledger,
            )
            windows = []
            for first in range(0, count, concurrency):
                batch = range(first, min(first + concurrency, count))
                await asyncio.gather(
                    *(
                        attempt().run(activities.send_notification, delivery(run, number))
                        for number in batch
                    )
                )
                for number in batch:
                    key = delivery(run, number).idempotency_key
                    windows.append(ledger.committed[key] - clock.accepted[key])
            return windows
    finally:
        server.stop()


def attempt() -> ActivityEnvironment:
    """An activity attempt with a minute to run, as the workflow gives a send."""
    environment = ActivityEnvironment()
    environment.info = dataclasses.replace(
        environment.info, start_to_close_timeout=timedelta(minutes=1)
    )
    return environment


async def under_load(
    count: int,
    concurrency: int,
    busy: int,
    location: str | None = None,
    storm: int = 0,
) -> list[float]:
    """`measure` while `busy` blocking calls keep the default thread pool occupied, and
    `storm` threads and as many event-loop callbacks compute in Python, as a worker's workflow
    activations (threads holding the GIL) and payload decoding (on the loop) do while it replays
    after a restart."""
    done = asyncio.Event()
    stop = threading.Event()

    async def occupy() -> None:
        while busy and not done.is_set():
            await asyncio.gather(*(asyncio.to_thread(time.sleep, 0.02) for _ in range(busy)))

    async def decode() -> None:
        while not done.is_set():
            _compute(0.005)  # a payload decoded on the loop
            await asyncio.sleep(0)

    def activate() -> None:
        while not stop.is_set():
            _compute(0.005)

    threads = [threading.Thread(target=activate, daemon=True) for _ in range(storm)]
    for thread in threads:
        thread.start()
    load = [asyncio.create_task(occupy())] + [asyncio.create_task(decode()) for _ in range(storm)]
    try:
        return await measure(count, concurrency, location)
    finally:
        done.set()
        stop.set()
        await asyncio.gather(*load)
        for thread in threads:
            thread.join()


def _compute(seconds: float) -> None:
    """Pure Python work, holding the GIL, for about `seconds`."""
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        sum(range(200))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=1, help="sends at once")
    parser.add_argument(
        "--busy-pool",
        type=int,
        default=0,
        help="blocking 20 ms calls kept queued on the default thread pool (journal writes)",
    )
    parser.add_argument(
        "--storm",
        type=int,
        default=0,
        help="threads and loop tasks computing in Python (a worker replaying after a restart)",
    )
    parser.add_argument(
        "--ledger",
        help="NOTIFY_SENT_LEDGER to measure (postgresql://… or a file); default a new SQLite file",
    )
    arguments = parser.parse_args()
    count, concurrency = arguments.count, arguments.concurrency
    windows = sorted(
        asyncio.run(
            under_load(count, concurrency, arguments.busy_pool, arguments.ledger, arguments.storm)
        )
    )
    ms = [window * 1000 for window in windows]
    quantiles = statistics.quantiles(ms, n=100)
    print(
        f"{count} emails, {concurrency} at once, storm {arguments.storm}: accept -> recorded  "
        f"p50 {statistics.median(ms):.2f} ms  "
        f"p95 {quantiles[94]:.2f} ms  p99 {quantiles[98]:.2f} ms  max {ms[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
