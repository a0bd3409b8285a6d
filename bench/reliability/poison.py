"""Poison input while complaints flow: hostile requests to the API, internationalised addresses,
and writes sent straight to Temporal without the complaints key."""

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter

from bench.reliability.faults import Faults
from bench.reliability.load import Observed, filing
from bench.reliability.settings import STAFF
from bench.reliability.stack import Stack
from workflows.ids import workflow_id

NON_ASCII_ADDRESSES = ("zoë@example.in", "u@exämple.in")
UNSEALED_NOTE = "unsealed note from the Temporal CLI"


@dataclass(frozen=True)
class PoisonRequest:
    """One hostile request and the answers that meet the target."""

    name: str
    path: str
    """`/complaints` or, with `{id}`, an action on a complaint already filed."""
    body: bytes
    accepted: frozenset[int] = frozenset({400, 413, 422})


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def poison_requests(run: str) -> list[PoisonRequest]:
    """Malformed JSON, wrong types, a huge body, unknown brand, country and case, control
    characters: each must be refused with a 4xx naming the field and the reason. Each filing is
    a customer of its own (the same customer and product would join the earlier complaint)."""
    forms = (filing("poison-hostile", number, run) for number in itertools.count())
    form = next(forms)
    return [
        PoisonRequest("malformed JSON", "/complaints", b'{"customer": {"name": "Asha",'),
        PoisonRequest("JSON that is not an object", "/complaints", b'["a", "list"]'),
        PoisonRequest(
            "wrong types",
            "/complaints",
            _json({**next(forms), "customer": "Asha", "country": 91, "channel": ["phone"]}),
        ),
        PoisonRequest(
            "huge body (1 MB description)",
            "/complaints",
            _json({**next(forms), "description": "x" * 1_000_000}),
        ),
        PoisonRequest(
            "unknown brand", "/complaints", _json({**next(forms), "brand": "no-such-brand"})
        ),
        PoisonRequest("unknown country", "/complaints", _json({**next(forms), "country": "zz"})),
        PoisonRequest(
            "control characters in the name",
            "/complaints",
            _json({**form, "customer": {**form["customer"], "name": "Eve\x00\x07\x1b[2J"}}),
        ),
        PoisonRequest(
            "control characters in a note", "/complaints/{id}/notes", _json({"text": "a\x00b"})
        ),
        PoisonRequest("a note of the wrong type", "/complaints/{id}/notes", _json({"text": 5})),
        PoisonRequest(
            "unknown case",
            "/complaints/{id}/cases",
            _json({"case_type": "no_such_case", "fields": {}}),
        ),
    ]


def _reason(answer: httpx.Response) -> str:
    """The field and reason of a 4xx (`loc: msg`), or '' when the answer names neither."""
    try:
        detail = answer.json()["detail"]
    except (ValueError, KeyError, TypeError):
        return ""
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        first = detail[0]
        return f"{'.'.join(str(part) for part in first.get('loc', []))}: {first.get('msg', '')}"
    return str(detail)


@dataclass
class Poison:
    """Sends the poison while the scenario's complaints flow; checks what it left afterwards."""

    stack: Stack
    observed: Observed
    faults: Faults
    run: str
    answers: dict[str, str] = field(default_factory=dict)
    international: dict[str, str] = field(default_factory=dict)
    """Address -> the complaint filed for it."""
    unsealed_target: str | None = None

    async def during(self, api: httpx.AsyncClient, after: float) -> None:
        await asyncio.sleep(after)
        target = next(iter(self.observed.complaint_ids.values()))
        for request in poison_requests(self.run):
            answer = await api.post(
                request.path.format(id=target),
                content=request.body,
                headers={**STAFF, "Content-Type": "application/json"},
            )
            self.observed.statuses[answer.status_code] += 1
            reason = _reason(answer)
            self.answers[request.name] = f"{answer.status_code} `{reason[:90]}`"
            problem = f"poison {request.name}: {answer.status_code} {answer.text[:160]}"
            if answer.status_code >= 500:
                self.faults.violations.append(problem)
            elif answer.status_code not in request.accepted or not reason:
                self.faults.shortfalls.append(problem)
        for number, address in enumerate(NON_ASCII_ADDRESSES):
            form = filing("poison-intl", number, self.run)
            form["customer"] = {**form["customer"], "email": address}
            answer = await api.post(
                "/complaints",
                json=form,
                headers={**STAFF, "Idempotency-Key": f"{self.run}-international-{number}"},
            )
            self.observed.statuses[answer.status_code] += 1
            if answer.status_code in (200, 201, 202):
                self.international[address] = answer.json()["id"]
            else:
                self.answers[address] = f"{answer.status_code} `{_reason(answer)[:90]}`"
        self.unsealed_target = target
        await self._write_unsealed(target)
        self.faults.injected += len(poison_requests(self.run)) + len(NON_ASCII_ADDRESSES) + 2

    async def _write_unsealed(self, complaint: str) -> None:
        """An update and a signal without the complaints key, as the Temporal CLI would send."""
        client = await Client.connect(
            f"127.0.0.1:{self.stack.server_port}", data_converter=pydantic_data_converter
        )
        handle = client.get_workflow_handle(workflow_id(complaint))
        note = {"text": UNSEALED_NOTE, "by": {"role": "agent", "name": "Mallory"}}
        try:
            async with asyncio.timeout(30):
                await handle.execute_update("add_note", note)
            self.faults.violations.append("an unsealed update was applied")
            outcome = "applied"
        except WorkflowUpdateFailedError as err:
            outcome = f"refused: `{str(err.cause)[:90]}`"
        except TimeoutError:
            outcome = "no answer within 30 s"
            self.faults.violations.append("an unsealed update got no answer within 30 s")
        self.answers["update sent to Temporal without the key"] = outcome
        await handle.signal("filed_again", {"customer": "Mallory"})
        self.answers["signal sent to Temporal without the key"] = "sent (checked on the view)"

    async def after(self, api: httpx.AsyncClient) -> None:
        """Each international address delivered or recorded failed; the unsealed writes left
        no trace on the complaint."""
        for address, complaint in self.international.items():
            view = (await api.get(f"/complaints/{complaint}", headers=STAFF)).json()
            failed = [
                step["reason"] or step["text"] or ""
                for step in view["history"]
                if step["kind"] == "notification_failed"
            ]
            sink = self.stack.smtp.sink
            delivered = [
                sink.recipients[key]
                for key in list(sink.recipients)
                if key.startswith(f"{complaint}/") and "/acknowledgement/customer/" in key
            ]
            if delivered:
                outcome = f"acknowledgement delivered to {delivered[0]}"
            elif failed:
                outcome = f"`notification_failed` recorded ({len(failed)}): `{failed[0][:90]}`"
            else:
                outcome = "neither delivered nor recorded failed"
                self.faults.violations.append(f"{address}: {outcome}")
            self.answers[address] = outcome
        if self.unsealed_target is not None:
            view = (await api.get(f"/complaints/{self.unsealed_target}", headers=STAFF)).json()
            if any(step["text"] == UNSEALED_NOTE for step in view["history"]):
                self.faults.violations.append("the unsealed note is in the complaint's history")
        self.faults.measures += [
            (f"poison: {name}", answer) for name, answer in self.answers.items()
        ]
