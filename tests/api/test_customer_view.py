"""Attack: a customer reading the desk's internal notes, addresses and staff phones (issue 13)."""

import json
from typing import Any

import httpx

from harness.credentials import ADMIN, bearer, customer_bearer
from harness.samples import FORM, SEED_MATRIX
from harness.waiting import eventually

LUCIA = customer_bearer("lucia@example.mx")
AGENT = bearer("agent", "priya", "Priya")
STAFF_ADDRESSES = [
    *(level.contacts.email for level in SEED_MATRIX.levels if level.contacts),
    *(contact.email for contact in SEED_MATRIX.roles.values()),
    *(contact.phone for contact in SEED_MATRIX.roles.values() if contact.phone),
]


def notes(view: dict[str, Any]) -> list[str]:
    return [step["text"] for step in view["history"] if step["kind"] == "note_added"]


async def test_a_customer_sees_public_history_only(guest_api: httpx.AsyncClient) -> None:
    filed = await guest_api.post(
        "/complaints", json=FORM, headers=AGENT
    )  # taken by phone for Lucía
    complaint = f"/complaints/{filed.json()['id']}"
    await guest_api.post(
        f"{complaint}/notes", json={"text": "Customer sounds angry"}, headers=AGENT
    )
    await guest_api.post(
        f"{complaint}/notes", json={"text": "Label sent", "internal": False}, headers=AGENT
    )
    own = await guest_api.post(f"{complaint}/notes", json={"text": "Thanks!"}, headers=LUCIA)
    assert notes(own.json()) == ["Label sent", "Thanks!"]

    async def delivered() -> dict[str, Any] | None:  # the desk's emails are out and recorded
        staff = (await guest_api.get(complaint, headers=ADMIN)).json()
        return staff if any(s["kind"] == "notified" for s in staff["history"]) else None

    staff = await eventually(delivered)
    assert notes(staff) == ["Customer sounds angry", "Label sent", "Thanks!"]
    seen = (await guest_api.get(complaint, headers=LUCIA)).json()
    assert notes(seen) == ["Label sent", "Thanks!"]
    assert {step["kind"] for step in seen["history"]} <= {"opened", "note_added"}
    text = json.dumps(seen)
    assert [address for address in STAFF_ADDRESSES if address in text] == []


async def test_every_answer_to_a_customer_leaves_the_desk_out(guest_api: httpx.AsyncClient) -> None:
    own = {**FORM, "recorded_by": {"role": "customer"}}
    filed = await guest_api.post("/complaints", json=own, headers=LUCIA)
    complaint = f"/complaints/{filed.json()['id']}"
    await guest_api.post(f"{complaint}/notes", json={"text": "Internal: VIP"}, headers=AGENT)
    await guest_api.post(f"{complaint}/resolution", json={"resolution": "New unit"}, headers=AGENT)
    answers = [
        filed,
        await guest_api.get(complaint, headers=LUCIA),
        await guest_api.post(f"{complaint}/contacts", json={"note": "again"}, headers=LUCIA),
        await guest_api.post(f"{complaint}/feedback", json={"decision": "accept"}, headers=LUCIA),
        await guest_api.post(f"{complaint}/reopen", json={"reason": "Broke"}, headers=LUCIA),
    ]  # the list (tests/guest_api/test_search.py) carries summaries, no history
    for answer in answers:
        assert answer.status_code in (200, 201), answer.text
        text = answer.text
        assert "Internal: VIP" not in text and '"notified"' not in text, text
        assert [address for address in STAFF_ADDRESSES if address in text] == []
