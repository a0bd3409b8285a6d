"""How long listing and analytics take over N complaints on the dev server:
`python -m bench.search_analytics [N]` (default 200).

Files N complaints through the API (varied reason, country, brand), waits until visibility has
them all, then times `GET /analytics/complaints` and a first page of `GET /complaints`.
"""

import asyncio
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from activities.email import SmtpSettings
from api.rate_limits import RateLimits
from api.settings import ApiSettings
from harness.api import serve_api
from harness.credentials import ADMIN
from harness.mailbox import Mailbox, free_port
from harness.samples import FORM
from harness.temporal import start_dev_server
from harness.waiting import eventually
from worker import build_worker

UNLIMITED = RateLimits(enabled=False)
"""A benchmark files and lists as fast as it can: no rate limits."""
REASONS = ("Late repair", "No diagnosis", "Refund refused", "Rude staff", "Wrong part")
FILINGS = (("MX", "delonghi-mx"), ("IN", None), ("MX", None), ("IN", "xiaomi-in"))


async def main(count: int) -> None:
    mailbox = Mailbox(port=free_port())
    mailbox.start()
    data = Path(tempfile.mkdtemp())
    server = start_dev_server(
        database=data / "temporal.db",
        extra_args=("--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"),
    )
    task_queue = f"bench-{uuid.uuid4()}"
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    try:
        async with (
            server as env,
            build_worker(env.client, smtp, task_queue),
            serve_api(env, ApiSettings(task_queue=task_queue, rate_limits=UNLIMITED), set()) as api,
        ):
            limit = asyncio.Semaphore(10)

            async def file(number: int) -> None:
                country, brand = FILINGS[number % len(FILINGS)]
                form = {
                    **FORM,
                    "country": country,
                    "brand": brand,
                    "product": f"Unit {number}",
                    "reason": REASONS[number % len(REASONS)],
                }
                async with limit:
                    answer = await api.post("/complaints", json=form, headers=ADMIN)
                    answer.raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(file(number) for number in range(count)))
            print(f"filed {count} complaints in {time.perf_counter() - started:.1f} s")

            async def all_visible() -> bool:
                answer = await api.get("/analytics/complaints", headers=ADMIN)
                return answer.json()["overall"]["total"] == count

            await eventually(all_visible, within=120)
            for route in ("/analytics/complaints", "/complaints?page_size=100"):
                timings = []
                for _ in range(5):
                    started = time.perf_counter()
                    (await api.get(route, headers=ADMIN)).raise_for_status()
                    timings.append(time.perf_counter() - started)
                print(f"GET {route}: median {sorted(timings)[2] * 1000:.0f} ms over 5 calls")
            report = (await api.get("/analytics/complaints", headers=ADMIN)).json()
            buckets = sum(len(value) for key, value in report.items() if key.startswith("by_"))
            print(f"analytics: {buckets} buckets, {4 * (buckets + 1)} visibility counts")
    finally:
        mailbox.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
