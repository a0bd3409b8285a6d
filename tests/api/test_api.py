"""The HTTP API over a real socket, against the time-skipping server and a real worker."""

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.email import SmtpSettings
from activities.journal_store import IN_MEMORY, CaseJournal
from api.main import create_app
from api.settings import ApiSettings
from harness.api import serve_api
from harness.credentials import TEST_AUTH
from harness.mailbox import Mailbox, free_port
from harness.samples import FORM, POLICY_DIR
from harness.waiting import eventually
from tests.conftest import close_workflows
from worker import build_worker

H = timedelta(hours=1)


async def file(api: httpx.AsyncClient) -> dict[str, Any]:
    response = await api.post("/complaints", json=FORM)
    assert response.status_code == 201, response.text
    return response.json()


async def test_filing_returns_the_id_level_and_deadline_and_acknowledges(
    api: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    response = await api.post("/complaints", json=FORM)
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["Location"] == f"/complaints/{body['id']}"
    assert (body["level"], body["status"], body["owner_role"]) == (1, "open", "grievance_desk")
    opened = datetime.fromisoformat(body["opened_at"])
    assert datetime.fromisoformat(body["deadline"]) - opened == 48 * H
    assert body["intake"]["customer"]["phone"] == "+525512345678"
    assert body["intake"]["country"] == "MX"

    read = (await api.get(f"/complaints/{body['id']}")).json()
    assert read["id"] == body["id"] and read["history"][0]["kind"] == "opened"
    await eventually(lambda: mailbox.to("lucia@example.mx"))


async def test_resolution_feedback_and_notes_act_on_the_complaint(api: httpx.AsyncClient) -> None:
    complaint = await file(api)
    url = f"/complaints/{complaint['id']}"

    noted = await api.post(f"{url}/notes", json={"text": "Called the centre."})
    assert noted.status_code == 200
    assert noted.json()["history"][-1]["text"] == "Called the centre."

    proposed = await api.post(f"{url}/resolution", json={"resolution": "New unit"})
    assert proposed.status_code == 200
    assert proposed.json()["status"] == "awaiting_customer"
    assert proposed.json()["deadline"] is None

    again = await api.post(f"{url}/resolution", json={"resolution": "Other"})
    assert again.status_code == 409
    assert "already awaiting the customer's decision" in again.json()["detail"]

    rejected = await api.post(
        f"{url}/feedback", json={"decision": "reject", "reason": "Want a refund"}
    )
    assert rejected.status_code == 200
    assert (rejected.json()["level"], rejected.json()["status"]) == (2, "open")

    stray = await api.post(f"{url}/feedback", json={"decision": "accept"})
    assert stray.status_code == 409
    assert (
        stray.json()["detail"] == "cannot accept: no resolution is awaiting the customer's decision"
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer": {"name": "Lucía", "email": "not-an-email"}}, ["body", "customer", "email"]),
        ({"customer": {"name": "Lucía", "phone": "12"}}, ["body", "customer", "phone"]),
        ({"customer": {"name": "Lucía"}}, ["body", "customer"]),
        ({"country": "Mexico"}, ["body", "country"]),
        ({"channel": "pigeon"}, ["body", "channel"]),
        ({"description": ""}, ["body", "description"]),
        ({"description": "x" * 5001}, ["body", "description"]),
    ],
)
async def test_bad_intake_is_a_422_naming_the_field(
    api: httpx.AsyncClient, change: dict[str, Any], field: list[str]
) -> None:
    response = await api.post("/complaints", json={**FORM, **change})
    assert response.status_code == 422
    assert field in [error["loc"] for error in response.json()["detail"]], response.text


async def test_bad_action_bodies_are_422s_naming_the_field(api: httpx.AsyncClient) -> None:
    url = f"/complaints/{(await file(api))['id']}"
    no_reason = await api.post(f"{url}/feedback", json={"decision": "reject"})
    assert no_reason.status_code == 422
    assert "say why the resolution is rejected" in no_reason.text
    empty = await api.post(f"{url}/resolution", json={"resolution": "  "})
    assert ["body", "resolution"] in [e["loc"] for e in empty.json()["detail"]]


async def test_unknown_complaints_are_404(api: httpx.AsyncClient) -> None:
    assert (await api.get("/complaints/0000000000000000")).status_code == 404
    note = await api.post("/complaints/0000000000000000/notes", json={"text": "b"})
    assert (note.status_code, note.json()["detail"]) == (404, "no complaint 0000000000000000")
    assert (await api.get("/complaints/NOT..valid")).status_code == 422


async def test_a_closed_complaint_is_readable_and_refuses_actions_with_409(
    api: httpx.AsyncClient, env: WorkflowEnvironment
) -> None:
    url = f"/complaints/{(await file(api))['id']}"
    await api.post(f"{url}/resolution", json={"resolution": "New unit"})
    accepted = await api.post(f"{url}/feedback", json={"decision": "accept"})
    assert accepted.json()["status"] == "resolved"
    await env.sleep(7 * 24 * H + H)  # past the reopen window

    async def closed() -> bool:
        return (await api.get(url)).json()["status"] == "closed"

    await eventually(closed)
    note = await api.post(f"{url}/notes", json={"text": "late"})
    assert note.status_code == 409
    assert "closed" in note.json()["detail"]
    reopen = await api.post(f"{url}/reopen", json={"reason": "Broke again"})
    assert reopen.status_code == 409


async def test_a_complaint_filed_while_no_worker_runs_is_202_and_never_lost(
    env: WorkflowEnvironment,
    mailbox: Mailbox,
    task_queue: str,
    opened_workflows: set[str],
) -> None:
    settings = ApiSettings(task_queue=task_queue, intake_confirmation_seconds=1)
    async with serve_api(env, settings, opened_workflows) as api:
        response = await api.post("/complaints", json=FORM)
        assert response.status_code == 202, response.text
        complaint_id = response.json()["id"]
        assert response.headers["Location"] == f"/complaints/{complaint_id}"

        smtp = SmtpSettings(port=mailbox.port, timeout_seconds=5)
        async with build_worker(env.client, smtp, task_queue):  # the filing was kept: it starts

            async def started() -> httpx.Response | None:
                read = await api.get(f"/complaints/{complaint_id}")
                return read if read.status_code == 200 else None

            read = await eventually(started)
            assert (read.json()["level"], read.json()["status"]) == (1, "open")
            await eventually(lambda: mailbox.to("lucia@example.mx"))
            await close_workflows(env, opened_workflows)  # while this worker can finish them


async def test_pause_and_resume_over_http(api: httpx.AsyncClient) -> None:
    url = f"/complaints/{(await file(api))['id']}"
    paused = await api.post(f"{url}/pause", json={"reason": "Asked for the invoice"})
    assert (paused.status_code, paused.json()["status"], paused.json()["deadline"]) == (
        200,
        "paused",
        None,
    )
    again = await api.post(f"{url}/pause", json={"reason": "again"})
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "cannot pause: the complaint is paused, waiting on the customer; resume it first",
    )
    resumed = await api.post(f"{url}/resume", json={})
    assert (resumed.status_code, resumed.json()["status"]) == (200, "open")
    assert resumed.json()["deadline"] is not None
    no_reason = await api.post(f"{url}/pause", json={})
    assert ["body", "reason"] in [e["loc"] for e in no_reason.json()["detail"]]


async def test_the_brand_picks_the_policy_and_an_unknown_brand_is_a_422(
    api: httpx.AsyncClient,
) -> None:
    delonghi = await api.post("/complaints", json={**FORM, "brand": "delonghi-mx"})
    assert delonghi.status_code == 201, delonghi.text
    assert (delonghi.json()["policy_name"], delonghi.json()["level_name"]) == (
        "delonghi-mexico",
        "Agente de Servicio al Cliente",
    )
    unknown = await api.post("/complaints", json={**FORM, "brand": "acme"})
    assert unknown.status_code == 422
    error = unknown.json()["detail"][0]
    assert error["loc"] == ["body", "brand"]
    assert "known brands: default, delonghi-mx, xiaomi-in" in error["msg"]


async def test_a_country_without_a_calendar_is_a_422_when_the_policy_counts_business_time(
    env: WorkflowEnvironment,
    worker: Worker,
    task_queue: str,
    opened_workflows: set[str],
    tmp_path: Path,
) -> None:
    text = (
        (POLICY_DIR / "default.yaml")
        .read_text()
        .replace("resolution_window: 48h", "resolution_window: 16 business hours")
    )
    (tmp_path / "default.yaml").write_text(text)
    settings = ApiSettings(task_queue=task_queue, escalation_policy=tmp_path)
    async with serve_api(env, settings, opened_workflows) as api:
        response = await api.post("/complaints", json={**FORM, "country": "BR"})
        assert response.status_code == 422
        error = response.json()["detail"][0]
        assert error["loc"] == ["body", "country"]
        assert "no calendar for BR (calendars: IN, MX)" in error["msg"]
        mexican = await api.post("/complaints", json=FORM)
        assert mexican.status_code == 201


async def test_a_retried_intake_with_the_same_key_returns_the_same_complaint(
    api: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    headers = {"Idempotency-Key": "form-2026-11-23-0042"}
    first = await api.post("/complaints", json=FORM, headers=headers)
    again = await api.post("/complaints", json=FORM, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["opened_at"] == first.json()["opened_at"]
    another_product = {**FORM, "product": "Magnifica ESAM"}
    other = await api.post("/complaints", json=another_product, headers={"Idempotency-Key": "b"})
    assert other.json()["id"] != first.json()["id"]
    await eventually(lambda: len(mailbox.to("lucia@example.mx")) >= 2)
    assert len(mailbox.to("lucia@example.mx")) == 2  # one acknowledgement per complaint


async def test_concurrent_duplicates_file_one_complaint(
    api: httpx.AsyncClient, env: WorkflowEnvironment
) -> None:
    headers = {"Idempotency-Key": "app-retry-storm"}
    answers = await asyncio.gather(
        *(api.post("/complaints", json=FORM, headers=headers) for _ in range(8))
    )
    assert {answer.status_code for answer in answers} == {201}
    ids = {answer.json()["id"] for answer in answers}
    assert len(ids) == 1
    view = (await api.get(f"/complaints/{ids.pop()}")).json()
    assert [step["kind"] for step in view["history"]].count("opened") == 1


async def test_a_key_reused_for_a_different_complaint_is_a_409(api: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "reused-key"}
    assert (await api.post("/complaints", json=FORM, headers=headers)).status_code == 201
    different = await api.post(
        "/complaints", json={**FORM, "product": "Magnifica"}, headers=headers
    )
    assert different.status_code == 409
    assert "was used for a different complaint" in different.json()["detail"]
    bad = await api.post("/complaints", json=FORM, headers={"Idempotency-Key": "no spaces"})
    assert bad.status_code == 422
    assert ["header", "Idempotency-Key"] in [e["loc"] for e in bad.json()["detail"]]


async def test_a_key_of_a_closed_complaint_returns_it_and_files_nothing_new(
    api: httpx.AsyncClient, env: WorkflowEnvironment
) -> None:
    headers = {"Idempotency-Key": "closed-then-retried"}
    filed = (await api.post("/complaints", json=FORM, headers=headers)).json()
    url = f"/complaints/{filed['id']}"
    await api.post(f"{url}/resolution", json={"resolution": "New unit"})
    await api.post(f"{url}/feedback", json={"decision": "accept"})
    await env.sleep(8 * 24 * H)

    async def closed() -> bool:
        return (await api.get(url)).json()["status"] == "closed"

    await eventually(closed)
    retried = await api.post("/complaints", json=FORM, headers=headers)
    assert retried.status_code == 201
    assert (retried.json()["id"], retried.json()["status"]) == (filed["id"], "closed")


async def test_health_and_readiness(api: httpx.AsyncClient) -> None:
    assert (await api.get("/health")).json() == {"status": "ok"}
    ready = await api.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["temporal"] == "reachable"
    assert set(ready.json()["policies"]) == {"default", "delonghi-mx", "xiaomi-in"}


async def test_not_ready_while_temporal_is_unreachable(
    env: WorkflowEnvironment, opened_workflows: set[str]
) -> None:
    nowhere = await Client.connect(f"127.0.0.1:{free_port()}", lazy=True)
    app = create_app(nowhere, ApiSettings(), TEST_AUTH, CaseJournal(IN_MEMORY))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            assert (await http.get("/health")).status_code == 200
            ready = await http.get("/ready")
            assert ready.status_code == 503
            assert ready.json()["temporal"].startswith("unreachable")
    finally:
        server.should_exit = True
        await serving


async def test_oversized_bodies_are_refused_with_413(api: httpx.AsyncClient) -> None:
    big = {**FORM, "description": "x" * 70_000}
    declared = await api.post("/complaints", json=big)
    assert (declared.status_code, declared.json()) == (
        413,
        {"detail": "request body larger than 65536 bytes"},
    )

    async def stream() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for _ in range(20):
            yield b"x" * 4096

    streamed = await api.post(
        "/complaints", content=stream(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert (await api.post("/complaints", json=FORM)).status_code == 201


async def test_cors_answers_only_configured_origins(
    env: WorkflowEnvironment, worker: Worker, task_queue: str, opened_workflows: set[str]
) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "idempotency-key",
    }
    settings = ApiSettings(task_queue=task_queue, cors_origins=["https://support.example.com"])
    async with serve_api(env, settings, opened_workflows) as api:
        allowed = await api.options(
            "/complaints", headers={"Origin": "https://support.example.com", **preflight}
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://support.example.com"
        other = await api.options(
            "/complaints", headers={"Origin": "https://evil.example", **preflight}
        )
        assert "access-control-allow-origin" not in other.headers
    async with serve_api(env, ApiSettings(task_queue=task_queue), opened_workflows) as api:
        plain = await api.get("/health", headers={"Origin": "https://support.example.com"})
        assert "access-control-allow-origin" not in plain.headers


async def test_repeat_contacts_and_the_supervisor_call_over_http(api: httpx.AsyncClient) -> None:
    url = f"/complaints/{(await file(api))['id']}"
    contact = await api.post(f"{url}/contacts", json={"note": "Called again."})
    assert (contact.status_code, contact.json()["contacts"], contact.json()["handling"]) == (
        200,
        2,
        "complaint_specialists",
    )
    asked = await api.post(f"{url}/supervisor-request", json={"reason": "Refund"})
    assert asked.status_code == 200 and asked.json()["supervisor_requested_at"] is not None
    twice = await api.post(f"{url}/supervisor-request", json={"reason": "Again"})
    assert twice.status_code == 409 and "has not joined yet" in twice.json()["detail"]
    joined = await api.post(f"{url}/supervisor-joined")
    assert joined.status_code == 200 and joined.json()["supervisor_requested_at"] is None
    again = await api.post(f"{url}/supervisor-joined")
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "cannot record a supervisor joining: none was asked for",
    )


async def test_a_repeat_filing_about_the_same_product_joins_the_open_complaint(
    api: httpx.AsyncClient,
) -> None:
    first = await api.post("/complaints", json=FORM)
    again = await api.post(
        "/complaints", json={**FORM, "product": " dedica  ec685", "channel": "email"}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Location"] == f"/complaints/{first.json()['id']}"
    assert (again.json()["contacts"], again.json()["handling"]) == (2, "complaint_specialists")
    contacted = [s for s in again.json()["history"] if s["kind"] == "contacted"]
    assert contacted[0]["actor"]["role"] == "admin"  # who filed it

    other_customer = {**FORM, "customer": {**FORM["customer"], "email": "mateo@example.mx"}}
    other_product = {**FORM, "product": "Magnifica ESAM"}
    for form in (other_customer, other_product):
        separate = await api.post("/complaints", json=form)
        assert separate.status_code == 201 and separate.json()["id"] != first.json()["id"]


async def test_the_receipt_is_the_complaint_as_its_workflow_opened_it(
    api: httpx.AsyncClient,
) -> None:
    """The API builds a new complaint's 201 from what the matter answered (the instant it opened
    at, the earlier filings): the same complaint its workflow opens, readable at once."""
    response = await api.post("/complaints", json=FORM)
    assert response.status_code == 201, response.text
    receipt = response.json()
    read = await api.get(f"/complaints/{receipt['id']}")
    assert read.status_code == 200, "the Location answers from the moment the 201 is sent"
    view = read.json()
    assert receipt == view


async def test_a_receipt_counts_the_earlier_filings_as_the_workflow_does(
    api: httpx.AsyncClient, env: WorkflowEnvironment
) -> None:
    """A complaint filed again after the first closed, within the repeat window: its receipt,
    built by the API, counts the earlier filing as its workflow does (a repeat tier)."""
    url = f"/complaints/{(await file(api))['id']}"
    await api.post(f"{url}/resolution", json={"resolution": "New unit"})
    await api.post(f"{url}/feedback", json={"decision": "accept"})
    await env.sleep(7 * 24 * H + H)  # closed: past the reopen window, within the repeat window

    async def closed() -> bool:
        return (await api.get(url)).json()["status"] == "closed"

    await eventually(closed)
    receipt = await file(api)
    assert f"/complaints/{receipt['id']}" != url and receipt["contacts"] == 2
    assert receipt == (await api.get(f"/complaints/{receipt['id']}")).json()
