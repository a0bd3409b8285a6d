"""Live notifications on the desk (server-sent events over real HTTP): a supervisor request
alerts the signed-in supervisors at once, the agent who asked gets the hold reminders until the
supervisor joins, a breach reaches the queues; a reconnecting browser gets what it missed."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from temporalio.testing import WorkflowEnvironment

from api.credentials import Principal
from api.desk.live import Delivery, delivery_for
from domain.history import Actor, ActorRole
from domain.live import LiveEvent, LiveKind
from harness.credentials import bearer
from tests.desk.conftest import SignIn, file_complaint

H = timedelta(hours=1)
WITHIN = 15.0


@dataclass
class Heard:
    """What one browser's event stream has brought so far."""

    events: list[dict[str, Any]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def about(self, complaint_id: str) -> list[tuple[str, str]]:
        """(delivery, kind) of each event about the complaint, in order."""
        return [
            (event["event"], event["data"]["kind"])
            for event in self.events
            if event["data"]["complaint_id"] == complaint_id
        ]

    async def until(self, wanted: tuple[str, str], complaint_id: str) -> dict[str, Any]:
        async with asyncio.timeout(WITHIN):
            while True:
                for event in self.events:
                    if (event["event"], event["data"]["kind"]) == wanted and event["data"][
                        "complaint_id"
                    ] == complaint_id:
                        return event
                self.arrived.clear()
                await self.arrived.wait()


@contextlib.asynccontextmanager
async def listening(
    browser: httpx.AsyncClient, last_event_id: str | None = None
) -> AsyncIterator[Heard]:
    """The browser's `/desk/events` stream, read in the background while the block runs."""
    heard = Heard()
    opened = asyncio.Event()
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}

    async def read() -> None:
        async with browser.stream("GET", "/desk/events", headers=headers) as answer:
            assert answer.status_code == 200, await answer.aread()
            assert answer.headers["content-type"].startswith("text/event-stream")
            fields: dict[str, str] = {}
            async for line in answer.aiter_lines():
                if line.startswith(":"):
                    opened.set()  # the stream's opening comment: it is listening
                elif line:
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
                elif "data" in fields:
                    heard.events.append({**fields, "data": json.loads(fields["data"])})
                    heard.arrived.set()
                    fields = {}

    reading = asyncio.create_task(read())
    async with asyncio.timeout(WITHIN):
        await asyncio.wait(
            [reading, asyncio.create_task(opened.wait())], return_when="FIRST_COMPLETED"
        )
    if reading.done():
        reading.result()
    await asyncio.sleep(1.5)  # the feed reads the journal every second: let it see the stream
    try:
        yield heard
    finally:
        reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reading


async def test_a_supervisor_call_is_live_for_the_supervisor_and_the_agent_who_asked(
    env: WorkflowEnvironment, api: httpx.AsyncClient, sign_in: SignIn
) -> None:
    """Seed 003: "Notifica a tu supervisor sobre la escalación (puedes hacerlo vía chat) […]
    puedes colocar el mensaje de notificación como “urgente”" and "No te olvides de refrescar la
    llamada con tu cliente cada 2 a 3 minutos si el tiempo de espera (hold) excede esta
    expectativa": the supervisor is alerted live, the agent reminded live (issue 16, item 13)."""
    complaint_id = await file_complaint(api)
    supervisor = await sign_in("supervisor", "asha", "Asha")
    agent = await sign_in("agent", "priya", "Priya")
    other_agent = await sign_in("agent", "ravi", "Ravi")
    as_priya = bearer("agent", "priya", "Priya")
    as_asha = bearer("supervisor", "asha", "Asha")
    async with (
        listening(supervisor) as asha,
        listening(agent) as priya,
        listening(other_agent) as ravi,
    ):
        asked = await api.post(
            f"/complaints/{complaint_id}/supervisor-request",
            json={"reason": "Wants a refund now."},
            headers=as_priya,
        )
        assert asked.status_code == 200, asked.text
        alert = await asha.until(("alert", "supervisor_requested"), complaint_id)
        assert "Priya" in alert["data"]["text"] and "Wants a refund now." in alert["data"]["text"]
        assert alert["data"]["href"] == f"/desk/complaints/{complaint_id}"

        await env.sleep(timedelta(minutes=2, seconds=40))  # the first hold reminder falls due
        reminder = await priya.until(("alert", "hold_reminder"), complaint_id)
        assert reminder["data"]["text"].startswith("Refresh the customer's hold")

        joined = await api.post(
            f"/complaints/{complaint_id}/supervisor-joined", json={}, headers=as_asha
        )
        assert joined.status_code == 200, joined.text
        await priya.until(("notice", "supervisor_joined"), complaint_id)

        await env.sleep(48 * H + H)  # past the first level: a breach
        await ravi.until(("refresh", "breached"), complaint_id)  # the feed reached ravi's stream
        await asha.until(("notice", "breached"), complaint_id)

    assert ("alert", "supervisor_requested") not in priya.about(complaint_id)  # she asked
    assert ravi.about(complaint_id) == [("refresh", "breached")]  # not his call
    assert ("alert", "hold_reminder") not in asha.about(complaint_id)


async def test_a_browser_that_reconnects_gets_what_it_missed(
    api: httpx.AsyncClient, sign_in: SignIn
) -> None:
    complaint_id = await file_complaint(api)
    supervisor = await sign_in("supervisor", "asha", "Asha")
    async with listening(supervisor) as first:
        await api.post(
            f"/complaints/{complaint_id}/supervisor-request",
            json={"reason": "First call."},
            headers=bearer("agent", "priya", "Priya"),
        )
        seen = await first.until(("alert", "supervisor_requested"), complaint_id)
    # Offline while the supervisor joins and the customer asks again.
    joined = await api.post(
        f"/complaints/{complaint_id}/supervisor-joined",
        json={},
        headers=bearer("supervisor", "asha", "Asha"),
    )
    assert joined.status_code == 200, joined.text
    await api.post(
        f"/complaints/{complaint_id}/supervisor-request",
        json={"reason": "Second call."},
        headers=bearer("agent", "priya", "Priya"),
    )
    await asyncio.sleep(1.5)
    async with listening(supervisor, last_event_id=seen["id"]) as again:
        second = await again.until(("alert", "supervisor_requested"), complaint_id)
    assert "Second call." in second["data"]["text"]
    assert again.about(complaint_id)[:2] == [
        ("notice", "supervisor_joined"),
        ("alert", "supervisor_requested"),
    ]


async def test_the_event_stream_is_for_signed_in_staff_only(api: httpx.AsyncClient) -> None:
    nobody = await api.get("/desk/events")
    assert nobody.status_code == 401
    customer = await api.get("/desk/events", headers=bearer("customer", "someone@example.in"))
    assert customer.status_code in (401, 403)


def test_each_person_gets_only_their_part_of_an_event() -> None:
    priya = Principal(role=ActorRole.AGENT, subject="priya", name="Priya")
    ravi = Principal(role=ActorRole.AGENT, subject="ravi", name="Ravi")
    asha = Principal(role=ActorRole.SUPERVISOR, subject="asha", name="Asha")
    other_brand = Principal(
        role=ActorRole.SUPERVISOR, subject="eva", name="Eva", brands=frozenset({"delonghi"})
    )

    def event(kind: LiveKind, **fields: Any) -> LiveEvent:
        return LiveEvent(
            complaint_id="c1",
            seq=3,
            kind=kind,
            at="2026-11-23T10:00:00Z",  # pyright: ignore[reportArgumentType]
            brand="xiaomi",
            level=1,
            owner_role="grievance_desk",
            text="…",
            **fields,
        )

    asked_by_priya = Actor(role=ActorRole.AGENT, name="Priya")
    request = event(LiveKind.SUPERVISOR_REQUESTED, requester=asked_by_priya)
    reminder = event(LiveKind.HOLD_REMINDER, requester=asked_by_priya)
    breach = event(LiveKind.BREACHED, holder_sub="ravi")
    assert [delivery_for(request, p) for p in (priya, ravi, asha, other_brand)] == [
        None,
        None,
        Delivery.ALERT,
        None,
    ]
    assert [delivery_for(reminder, p) for p in (priya, ravi, asha)] == [Delivery.ALERT, None, None]
    assert [delivery_for(breach, p) for p in (priya, ravi, asha, other_brand)] == [
        Delivery.REFRESH,
        Delivery.NOTICE,
        Delivery.NOTICE,
        None,
    ]
