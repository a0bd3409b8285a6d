"""Listing, searching and counting complaints through visibility, on a real Temporal dev server.

Five complaints filed through the API once for the module; every test reads them. Each filter
picks a different, proper subset of them, so a filter that did nothing (or too much) fails.
"""

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from temporalio.testing import WorkflowEnvironment

from activities.email import SmtpSettings
from api.settings import ApiSettings
from harness.api import serve_api
from harness.credentials import ADMIN, JWT_SECRET, customer_bearer
from harness.mailbox import Mailbox, free_port
from harness.samples import FORM, POLICY_DIR
from harness.waiting import eventually
from worker import build_worker

FLASH_POLICY = """\
name: flash-test
levels:
  - name: Only desk
    owner_role: desk
    contacts: {email: desk@example.com}
    resolution_window: 1s
realert_interval: 1h
customer_decision_window: 1 day
reopen_window: 1 day
reason_categories: [Late repair]
"""
"""A brand whose only level breaches a second after filing: a breach without time skipping."""
LUCIA = customer_bearer("lucia@example.mx")
ASHA = customer_bearer("asha@example.in")
MATEO = customer_bearer("mateo@example.mx")
QUOTED_REASON = "Asha's screen cracked"


@dataclass
class Filed:
    """The module's complaints by letter, and a moment between the first three and the rest."""

    ids: dict[str, str]
    boundary: datetime

    def letters(self, complaints: list[dict[str, Any]]) -> set[str]:
        by_id = {complaint_id: letter for letter, complaint_id in self.ids.items()}
        return {by_id[complaint["id"]] for complaint in complaints}


@pytest.fixture(scope="module")
async def search_api(
    dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    """The API and a worker on the dev server, with the shipped policies and the flash brand."""
    policies = tmp_path_factory.mktemp("policy")
    for policy in POLICY_DIR.glob("*.yaml"):
        shutil.copy(policy, policies)
    (policies / "flash.yaml").write_text(FLASH_POLICY)
    task_queue = f"tq-{uuid.uuid4()}"
    settings = ApiSettings(task_queue=task_queue, escalation_policy=policies)
    mailbox = Mailbox(port=free_port())
    mailbox.start()
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    try:
        async with (
            build_worker(dev_env.client, smtp, task_queue),
            serve_api(dev_env, settings, set()) as api,
        ):
            yield api
    finally:
        mailbox.stop()


async def _file(api: httpx.AsyncClient, headers: dict[str, str], **changes: Any) -> str:
    """Filed by the customer; one naming a case by an agent for them (customers name none)."""
    form = {**FORM, "recorded_by": {"role": "customer"}, **changes}
    if "case" in changes:
        form["recorded_by"], headers = {"role": "agent", "name": "Priya"}, ADMIN
    filed = await api.post("/complaints", json=form, headers=headers)
    assert filed.status_code == 201, filed.text
    return filed.json()["id"]


@pytest.fixture(scope="module")
async def filed(search_api: httpx.AsyncClient) -> Filed:
    """A: Lucía, De'Longhi, a no-diagnosis case at SAT Norte. B: Lucía, De'Longhi, escalated to
    L2, late repair. C: Asha, India, resolved. D: Asha, India, a reason with a quote.
    E: Mateo, the flash brand, late repair, breached. A-C are filed before the boundary."""
    api = search_api
    asha = {"customer": {"name": "Asha Verma", "email": "asha@example.in"}, "country": "IN"}
    ids = {
        "A": await _file(
            api,
            LUCIA,
            brand="delonghi-mx",
            case={
                "case_type": "no_diagnosis",
                "fields": {"service_centre": "SAT Norte", "service_order": "SO-1"},
            },
        ),
        "B": await _file(
            api, LUCIA, brand="delonghi-mx", product="Magnifica S", reason="Late repair"
        ),
        "C": await _file(api, ASHA, **asha, product="Redmi Note 10 Pro", reason="Phone dead"),
    }
    await asyncio.sleep(0.05)
    boundary = datetime.now(UTC)
    await asyncio.sleep(0.05)
    ids["D"] = await _file(api, ASHA, **asha, product="Redmi 12", reason=QUOTED_REASON)
    ids["E"] = await _file(
        api,
        MATEO,
        customer={"name": "Mateo Ruiz", "email": "mateo@example.mx"},
        brand="flash",
        reason="Late repair",
    )
    escalated = await api.post(f"/complaints/{ids['B']}/escalation", json={"reason": "Profeco"})
    assert escalated.status_code == 200, escalated.text
    for step, body in [
        ("resolution", {"resolution": "New unit"}),
        ("feedback", {"decision": "accept"}),
    ]:
        done = await api.post(f"/complaints/{ids['C']}/{step}", json=body)
        assert done.status_code == 200, done.text
    expected = {
        "A": (1, "open", False),
        "B": (2, "open", False),
        "C": (1, "resolved", False),
        "D": (1, "open", False),
        "E": (1, "open", True),
    }
    by_id = {complaint_id: letter for letter, complaint_id in ids.items()}

    async def settled() -> bool:
        listed = (await api.get("/complaints", params={"page_size": 100})).json()["complaints"]
        seen = {
            by_id[item["id"]]: (item["level"], item["status"], item["breached"]) for item in listed
        }
        return seen == expected

    await eventually(settled, within=20)
    return Filed(ids=ids, boundary=boundary)


async def _listed(api: httpx.AsyncClient, headers: dict[str, str] = ADMIN, /, **params: Any) -> Any:
    answer = await api.get("/complaints", params={"page_size": 100, **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["complaints"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"A", "B", "C", "D", "E"}),
        ({"customer_id": "lucia"}, {"A", "B"}),
        ({"level": 2}, {"B"}),
        ({"status": "resolved"}, {"C"}),
        ({"status": "open"}, {"A", "B", "D", "E"}),
        ({"case_type": "no_diagnosis"}, {"A"}),
        ({"country": "in"}, {"C", "D"}),
        ({"brand": "delonghi-mx"}, {"A", "B"}),
        ({"brand": "default"}, {"C", "D"}),
        ({"breached": "true"}, {"E"}),
        ({"reason": "Late repair"}, {"B", "E"}),
        ({"reason": QUOTED_REASON}, set()),  # free text, not a category: indexed as `other`
        ({"reason": "other"}, {"D"}),
        ({"reason": "x' OR Reason != 'y"}, set()),
        ({"service_centre": "SAT Norte"}, {"A"}),
        ({"opened_to": "boundary"}, {"A", "B", "C"}),
        ({"opened_from": "boundary"}, {"D", "E"}),
        ({"country": "MX", "reason": "Late repair", "level": 1}, {"E"}),
    ],
)
async def test_each_filter_picks_its_complaints(
    search_api: httpx.AsyncClient, filed: Filed, params: dict[str, Any], expected: set[str]
) -> None:
    customers = {"lucia": LUCIA}
    resolved = {
        name: filed.boundary.isoformat() if value == "boundary" else value
        for name, value in params.items()
    }
    if "customer_id" in resolved:
        resolved["customer_id"] = _customer_id(customers[resolved["customer_id"]])
    assert filed.letters(await _listed(search_api, **resolved)) == expected


async def test_items_carry_the_complaint_at_a_glance(
    search_api: httpx.AsyncClient, filed: Filed
) -> None:
    [item] = await _listed(search_api, case_type="no_diagnosis")
    assert item["id"] == filed.ids["A"]
    assert (item["level"], item["status"], item["owner_role"], item["country"]) == (
        1,
        "open",
        "agent",
        "MX",
    )
    assert item["case_types"] == ["no_diagnosis"]
    assert item["breached"] is False
    assert datetime.fromisoformat(item["deadline"]) > datetime.fromisoformat(item["opened_at"])
    assert set(item) == {
        "id",
        "level",
        "status",
        "owner_role",
        "case_types",
        "country",
        "opened_at",
        "deadline",
        "breached",
    }


async def test_pages_return_every_complaint_exactly_once(
    search_api: httpx.AsyncClient, filed: Filed
) -> None:
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"page_size": 2, **({"page_token": token} if token else {})}
        page = (await search_api.get("/complaints", params=params)).json()
        seen += [item["id"] for item in page["complaints"]]
        pages += 1
        token = page["next_page_token"]
        if token is None:
            break
    assert sorted(seen) == sorted(filed.ids.values())
    assert pages >= 3

    first = (await search_api.get("/complaints", params={"page_size": 1})).json()
    elsewhere = {"page_size": 1, "level": 1, "page_token": first["next_page_token"]}
    misused = await search_api.get("/complaints", params=elsewhere)
    assert misused.status_code == 422
    assert misused.json()["detail"][0]["msg"] == "not a next_page_token of this query"


async def test_a_customer_lists_only_their_own_complaints(
    search_api: httpx.AsyncClient, filed: Filed
) -> None:
    assert filed.letters(await _listed(search_api, LUCIA)) == {"A", "B"}
    assert filed.letters(await _listed(search_api, MATEO)) == {"E"}
    own = await _listed(search_api, LUCIA, customer_id=_customer_id(LUCIA))
    assert filed.letters(own) == {"A", "B"}
    assert filed.letters(await _listed(search_api, LUCIA, status="resolved")) == set()
    someone_else = await search_api.get(
        "/complaints", params={"customer_id": _customer_id(ASHA)}, headers=LUCIA
    )
    assert someone_else.status_code == 403
    assert "only their own" in someone_else.json()["detail"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": 0}, "level"),
        ({"level": "two"}, "level"),
        ({"status": "lost"}, "status"),
        ({"case_type": "No Diagnosis"}, "case_type"),
        ({"country": "Mexico"}, "country"),
        ({"brand": "acme"}, "brand"),
        ({"breached": "maybe"}, "breached"),
        ({"reason": 'say "hi"'}, "reason"),
        ({"service_centre": "SAT\\Norte"}, "service_centre"),
        ({"customer_id": "lucia@example.mx"}, "customer_id"),
        ({"opened_from": "yesterday"}, "opened_from"),
        ({"opened_from": "2026-11-02T00:00:00Z", "opened_to": "2026-11-01T00:00:00Z"}, "opened_to"),
        ({"page_size": 101}, "page_size"),
        ({"page_token": "***"}, "page_token"),
        ({"page_token": "bm90IGEgdG9rZW4="}, "page_token"),
        ({"stauts": "open"}, "stauts"),
    ],
)
async def test_invalid_filters_are_422s_naming_the_field(
    search_api: httpx.AsyncClient, params: dict[str, Any], field: str
) -> None:
    answer = await search_api.get("/complaints", params=params)
    assert answer.status_code == 422, answer.text
    assert ["query", field] in [error["loc"] for error in answer.json()["detail"]], answer.text


async def test_analytics_count_open_escalated_and_breached_by_value(
    search_api: httpx.AsyncClient, filed: Filed
) -> None:
    answer = await search_api.get("/analytics/complaints")
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["overall"] == {"total": 5, "open": 4, "escalated": 1, "breached": 1}
    assert report["values_complete"] is True

    def counts(dimension: str) -> dict[str, tuple[int, int, int, int]]:
        return {
            bucket["value"]: (
                bucket["total"],
                bucket["open"],
                bucket["escalated"],
                bucket["breached"],
            )
            for bucket in report[f"by_{dimension}"]
        }

    assert counts("level") == {"1": (4, 3, 0, 1), "2": (1, 1, 1, 0), "3": (0, 0, 0, 0)}
    assert {reason: n for reason, n in counts("reason").items() if n[0]} == {
        "other": (1, 1, 0, 0),  # QUOTED_REASON names the customer: it is no category
        "Late repair": (2, 2, 1, 1),
        "No diagnosis from service centre": (1, 1, 0, 0),
        "Phone dead": (1, 0, 0, 0),
    }
    assert "Billing or refund" in counts("reason")  # every policy's categories are counted
    assert counts("brand") == {
        "default": (2, 1, 0, 0),
        "delonghi-mx": (2, 2, 1, 0),
        "flash": (1, 1, 0, 1),
        "xiaomi-in": (0, 0, 0, 0),
    }
    assert counts("country") == {"IN": (2, 1, 0, 0), "MX": (3, 3, 1, 1)}
    assert counts("service_centre") == {"SAT Norte": (1, 1, 0, 0)}
    assert counts("case_type")["no_diagnosis"] == (1, 1, 0, 0)
    assert sum(total for total, *_ in counts("case_type").values()) == 1

    later = await search_api.get(
        "/analytics/complaints", params={"opened_from": filed.boundary.isoformat()}
    )
    assert later.json()["overall"] == {"total": 2, "open": 2, "escalated": 0, "breached": 1}


def _customer_id(headers: dict[str, str]) -> str:
    token = headers["Authorization"].removeprefix("Bearer ")
    return jwt.decode(token, JWT_SECRET, ["HS256"])["sub"]
