"""The fault suite (issue 17): nothing lost, nothing doubled, nothing late, on the real stack.

    .venv/bin/python -m bench.reliability [--complaints 200] [--scenarios worker-kill poison ...]
        [--kills 50] [--output docs/reliability.md]

The stack as deployed, as separate processes on free loopback ports (`stack`): `temporal server
start-dev` on a SQLite file in a temporary folder, `python worker.py` (more for `two-workers`,
one sent-ledger file for all), `uvicorn api.main:app` (rate limits set explicitly, generous for
the bench's one staff caller), and an SMTP sink in this process that records every message by
Message-ID and `X-Idempotency-Key` (`sink`); texts go through the SMS-by-email gateway that
`make run` configures (`mailto:{phone}@sms.localhost`), so the same sink receives them.
Complaints are filed through `POST /complaints` with an `Idempotency-Key` (a client retrying
503, 429 and broken connections with the same key, as a client should; `load`) under the brand
`fault-fast`: two levels of 6 seconds, so each complaint owes five emails within 12 s of filing
(acknowledgement, L1 assigned, L2 assigned, the customer told of the escalation, the L2 breach
alert).

Each scenario (`scenarios`) files its own complaints while its fault (`faults`; `poison`,
`deploy` with `bad_deploy`, `long_history`, `international`) runs, waits until every email owed
is in (or gives up), then reads each complaint back (`GET /complaints/{id}`) and compares the
emails owed, computed by the workflow's own logic (`domain.simulation`) from each complaint's
`opened_at`, with the ones the sink received. Results: docs/reliability.md (`report`).
"""
