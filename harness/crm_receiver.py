"""An example CRM receiver of the complaint feed (docs/crm-feed.md): checks the signature and its
timestamp, takes each event once by its `Idempotency-Key`, and answers 2xx only once the event
is stored. The tests deliver to it over real HTTP; `python -m harness.crm_receiver` serves one.

A real receiver keeps the keys it has seen in its database, in the same transaction as what it
does with the event (here: in memory).
"""

import argparse
import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response

TOLERANCE_SECONDS = 300
"""Older (or newer) signatures are refused: a captured request cannot be replayed later."""


def verify(secret: str, header: str, body: bytes, now: float | None = None) -> str | None:
    """Why the `X-Complaints-Signature` header does not fit `body`, or None when it does."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        at = int(parts["t"])
    except (KeyError, ValueError):
        return "no timestamp"
    if abs((now if now is not None else time.time()) - at) > TOLERANCE_SECONDS:
        return "timestamp too old or in the future"
    expected = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        return "signature does not match"
    return None


@dataclass
class CrmReceiver:
    """What the receiver has taken, and (for tests) how it answers the next requests."""

    secret: str
    events: list[dict[str, Any]] = field(default_factory=list)
    """Each event once, in the order taken."""
    attempts: list[tuple[str, int]] = field(default_factory=list)
    """Every request: its Idempotency-Key and the status answered."""
    answers: list[int] = field(default_factory=list)
    """Statuses to answer to the next valid requests instead of taking them (tests)."""
    seen: set[str] = field(default_factory=set)
    verbose: bool = False
    """Print each event taken (`python -m harness.crm_receiver`)."""

    def app(self) -> FastAPI:
        app = FastAPI(title="Example CRM receiver")

        @app.post("/complaint-events")
        async def take(request: Request) -> Response:
            body = await request.body()
            key = request.headers.get("Idempotency-Key", "")
            signature = request.headers.get("X-Complaints-Signature", "")
            problem = verify(self.secret, signature, body)
            if problem is not None:
                return self._answer(key, 401, {"error": problem})
            if self.answers:
                return self._answer(key, self.answers.pop(0), {"error": "scripted"})
            if key in self.seen:  # a retry of an event already taken: acknowledge, do nothing
                return self._answer(key, 200, {"duplicate": True})
            event = json.loads(body)
            if event.get("id") != key:
                return self._answer(key, 400, {"error": "Idempotency-Key is not the event id"})
            self.seen.add(key)
            self.events.append(event)
            if self.verbose:
                print(f"{key} {event['type']} level {event['level']}", flush=True)
            return self._answer(key, 200, {"taken": key})

        return app

    def _answer(self, key: str, status: int, content: dict[str, Any]) -> Response:
        self.attempts.append((key, status))
        return Response(json.dumps(content), status, media_type="application/json")


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the example CRM receiver; prints events.")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    secret = os.environ.get("CRM_RECEIVER_SECRET", "")
    if len(secret) < 32:
        raise SystemExit("set CRM_RECEIVER_SECRET (32+ characters, the endpoint's secret)")
    receiver = CrmReceiver(secret, verbose=True)
    print(f"CRM receiver on http://127.0.0.1:{args.port}/complaint-events", flush=True)
    uvicorn.run(receiver.app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
