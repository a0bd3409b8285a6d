"""How long a customer waits for someone else's complaint id and for an unknown one.

    .venv/bin/python -m bench.id_probing [rounds]

Against a dev server with a worker and the API on loopback: Lucía's complaint is filed, then
Mateo asks for it and for an id that does not exist, alternately, `rounds` times each. Both are
404s; the medians and 90th percentiles should be the same (issue 13: no timing oracle).
"""

import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from activities.email import SmtpSettings
from api.rate_limits import RateLimits
from api.settings import ApiSettings
from harness.api import serve_api
from harness.credentials import ADMIN, customer_bearer
from harness.mailbox import Mailbox, free_port
from harness.samples import FORM
from harness.temporal import start_dev_server
from worker import build_worker

MATEO = customer_bearer("mateo@example.mx")
UNKNOWN = "0000000000000000"


async def main(rounds: int) -> None:
    mailbox = Mailbox(port=free_port())
    mailbox.start()
    task_queue = f"bench-{uuid.uuid4()}"
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    settings = ApiSettings(task_queue=task_queue, rate_limits=RateLimits(enabled=False))
    server = start_dev_server(database=Path(tempfile.mkdtemp()) / "temporal.db")
    try:
        async with (
            server as env,
            build_worker(env.client, smtp, task_queue),
            serve_api(env, settings, set()) as api,
        ):
            lucias = (await api.post("/complaints", json=FORM, headers=ADMIN)).json()["id"]
            timings: dict[str, list[float]] = {"foreign": [], "unknown": []}
            for _ in range(rounds):
                for kind, complaint in (("foreign", lucias), ("unknown", UNKNOWN)):
                    started = time.perf_counter()
                    answer = await api.get(f"/complaints/{complaint}", headers=MATEO)
                    timings[kind].append(time.perf_counter() - started)
                    assert answer.status_code == 404, answer.text
            for kind, values in timings.items():
                ms = sorted(v * 1000 for v in values)
                p90 = ms[int(len(ms) * 0.9)]
                print(f"{kind}: median {statistics.median(ms):.2f} ms, p90 {p90:.2f} ms")
    finally:
        mailbox.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
