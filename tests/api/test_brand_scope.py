"""Credentials with `brands` see and act on only those brands' complaints, everywhere: reads,
actions, filings (test server), lists and analytics (dev server)."""

import asyncio
import hashlib
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.settings import ApiSettings
from harness.api import serve_api
from harness.credentials import ADMIN, JWT_SECRET, auth_settings, bearer
from harness.samples import FORM
from harness.waiting import eventually
from tests.api.test_auth import _cli_token

XIAOMI_AGENT = bearer("agent", "neha", "Neha", brands=("xiaomi-in",))
XIAOMI_ADMIN = bearer("admin", "arjun", "Arjun", brands=("xiaomi-in",))
BOTH = bearer("supervisor", "ana", "Ana", brands=("xiaomi-in", "delonghi-mx"))
UNKNOWN = "0000000000000000"


def form(brand: str | None, **changes: Any) -> dict[str, Any]:
    """A complaint of the brand (None: the default policy), about a product of its own."""
    country = {"xiaomi-in": "IN", "delonghi-mx": "MX"}.get(brand or "", "MX")
    product = f"Product {uuid.uuid4().hex[:6]}"
    return {**FORM, "brand": brand, "country": country, "product": product, **changes}


async def file(api: httpx.AsyncClient, brand: str | None, headers: dict[str, str] = ADMIN) -> str:
    filed = await api.post("/complaints", json=form(brand), headers=headers)
    assert filed.status_code == 201, filed.text
    return filed.json()["id"]


async def test_another_brands_complaint_is_404_as_if_missing(guest_api: httpx.AsyncClient) -> None:
    xiaomi, delonghi = await file(guest_api, "xiaomi-in"), await file(guest_api, "delonghi-mx")
    assert (await guest_api.get(f"/complaints/{xiaomi}", headers=XIAOMI_AGENT)).status_code == 200
    foreign = await guest_api.get(f"/complaints/{delonghi}", headers=XIAOMI_AGENT)
    missing = await guest_api.get(f"/complaints/{UNKNOWN}", headers=XIAOMI_AGENT)
    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert foreign.json()["detail"].replace(delonghi, "ID") == missing.json()["detail"].replace(
        UNKNOWN, "ID"
    )
    for path in (f"/complaints/{xiaomi}", f"/complaints/{delonghi}"):
        assert (await guest_api.get(path, headers=BOTH)).status_code == 200


async def test_actions_on_another_brands_complaint_are_404_and_change_nothing(
    guest_api: httpx.AsyncClient,
) -> None:
    xiaomi, delonghi = await file(guest_api, "xiaomi-in"), await file(guest_api, "delonghi-mx")
    for action, body in (
        ("notes", {"text": "Not my brand."}),
        ("take", None),
        ("pause", {"reason": "Not my brand."}),
        ("resolution", {"resolution": "Not my brand."}),
    ):
        acted = await guest_api.post(
            f"/complaints/{delonghi}/{action}", json=body, headers=XIAOMI_AGENT
        )
        assert acted.status_code == 404, action
        assert acted.json()["detail"] == f"no complaint {delonghi}"
    after = (await guest_api.get(f"/complaints/{delonghi}", headers=ADMIN)).json()
    assert (after["status"], after["assignee"]) == ("open", None)
    assert all(step["actor"]["role"] == "system" for step in after["history"])
    noted = await guest_api.post(
        f"/complaints/{xiaomi}/notes", json={"text": "Mine."}, headers=XIAOMI_AGENT
    )
    assert noted.status_code == 200, noted.text
    unknown = await guest_api.post(f"/complaints/{UNKNOWN}/take", headers=XIAOMI_AGENT)
    assert unknown.status_code == 404


async def test_filing_for_another_brand_is_403(guest_api: httpx.AsyncClient) -> None:
    await file(guest_api, "xiaomi-in", headers=XIAOMI_AGENT)
    for brand in ("delonghi-mx", None, "no-such-brand"):
        refused = await guest_api.post("/complaints", json=form(brand), headers=XIAOMI_AGENT)
        assert refused.status_code == 403, brand
        assert refused.json()["detail"] == (
            f"these credentials are for brands xiaomi-in only: they may not file for brand "
            f"{brand or 'default'!r}"
        )
    await file(guest_api, "delonghi-mx", headers=BOTH)


async def test_a_repeat_that_joins_another_brands_complaint_is_not_shown(
    guest_api: httpx.AsyncClient,
) -> None:
    """The same customer and product make one matter, whatever the brand named."""
    first = form("delonghi-mx")
    filed = await guest_api.post("/complaints", json=first, headers=ADMIN)
    again = await guest_api.post(
        "/complaints", json={**first, "brand": "xiaomi-in", "country": "IN"}, headers=XIAOMI_AGENT
    )
    assert again.status_code == 409
    assert "under a brand these credentials are not for" in again.json()["detail"]
    assert filed.json()["id"] not in again.text
    joined = (await guest_api.get(f"/complaints/{filed.json()['id']}", headers=ADMIN)).json()
    assert joined["contacts"] == 2


async def test_another_brands_id_costs_what_an_unknown_id_does(
    guest_api: httpx.AsyncClient,
    calls: Counter[str],
) -> None:
    delonghi = await file(guest_api, "delonghi-mx")
    calls.clear()
    await guest_api.get(f"/complaints/{delonghi}", headers=XIAOMI_AGENT)
    by_foreign = dict(calls)
    calls.clear()
    await guest_api.get(f"/complaints/{UNKNOWN}", headers=XIAOMI_AGENT)
    assert by_foreign == dict(calls) == {"describe_workflow_execution": 1}


@pytest.mark.parametrize(
    ("brands", "detail"),
    [
        ([], "brands: Tuple should have at least 1 item"),
        ("xiaomi-in", "brands"),
        (["x y"], "brands"),
    ],
    ids=["empty", "a-string", "not-a-brand-key"],
)
async def test_a_malformed_brands_claim_is_401(
    env: WorkflowEnvironment, opened_workflows: set[str], brands: Any, detail: str
) -> None:
    exp = datetime.now(UTC) + timedelta(hours=1)
    claims = {"sub": "neha", "role": "agent", "exp": exp, "brands": brands}
    token = jwt.encode(claims, JWT_SECRET, "HS256")
    async with serve_api(env, ApiSettings(), opened_workflows, headers={}) as api:
        answer = await api.get(
            f"/complaints/{UNKNOWN}", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 401
    assert detail in answer.json()["detail"]


async def test_the_token_command_mints_a_brand_scoped_token(guest_api: httpx.AsyncClient) -> None:
    xiaomi, delonghi = await file(guest_api, "xiaomi-in"), await file(guest_api, "delonghi-mx")
    token = await _cli_token("--role", "agent", "--sub", "neha", "--brand", "xiaomi-in")
    assert (await guest_api.get(f"/complaints/{xiaomi}", headers=token)).status_code == 200
    assert (await guest_api.get(f"/complaints/{delonghi}", headers=token)).status_code == 404
    both = await _cli_token(
        "--role", "agent", "--sub", "neha", "--brand", "xiaomi-in", "--brand", "delonghi-mx"
    )
    assert (await guest_api.get(f"/complaints/{delonghi}", headers=both)).status_code == 200


async def test_an_api_key_with_brands_is_scoped_like_a_token(
    env: WorkflowEnvironment,
    worker: Worker,
    task_queue: str,
    opened_workflows: set[str],
    tmp_path: Path,
) -> None:
    key = "xiaomi-crm-key-5b7e1c"
    keys = tmp_path / "api-keys.yaml"
    digest = hashlib.sha256(key.encode()).hexdigest()
    keys.write_text(
        f"- name: xiaomi-crm\n  role: agent\n  sha256: {digest}\n  brands: [xiaomi-in]\n"
    )
    auth = auth_settings(api_keys_file=keys)
    settings = ApiSettings(task_queue=task_queue)
    async with serve_api(env, settings, opened_workflows, auth=auth, headers={}) as api:
        xiaomi, delonghi = await file(api, "xiaomi-in"), await file(api, "delonghi-mx")
        crm = {"X-API-Key": key}
        assert (await api.get(f"/complaints/{xiaomi}", headers=crm)).status_code == 200
        assert (await api.get(f"/complaints/{delonghi}", headers=crm)).status_code == 404
        refused = await api.post("/complaints", json=form("delonghi-mx"), headers=crm)
        assert refused.status_code == 403


# --- lists and analytics, on the module's dev server --------------------------------------------


@pytest.fixture(scope="module")
async def three_brands(module_api: httpx.AsyncClient) -> dict[str, str]:
    """One complaint of each shipped brand, filed for the module (its dev server has no other)."""
    ids = {brand or "default": await file(module_api, brand) for brand in ("xiaomi-in", None)}
    ids["delonghi-mx"] = await file(module_api, "delonghi-mx")
    ids["xiaomi-in 2"] = await file(module_api, "xiaomi-in")
    return ids


async def _listed(api: httpx.AsyncClient, headers: dict[str, str], query: str = "") -> set[str]:
    answer = await api.get(f"/complaints?{query}", headers=headers)
    assert answer.status_code == 200, answer.text
    return {complaint["id"] for complaint in answer.json()["complaints"]}


async def test_a_list_shows_only_the_callers_brands(
    module_api: httpx.AsyncClient, three_brands: dict[str, str]
) -> None:
    xiaomi = {three_brands["xiaomi-in"], three_brands["xiaomi-in 2"]}
    await eventually(lambda: _all_listed(module_api, set(three_brands.values())))
    assert await _listed(module_api, XIAOMI_AGENT) == xiaomi
    assert await _listed(module_api, XIAOMI_AGENT, "brand=xiaomi-in") == xiaomi
    assert await _listed(module_api, BOTH) == xiaomi | {three_brands["delonghi-mx"]}
    assert await _listed(module_api, BOTH, "brand=delonghi-mx") == {three_brands["delonghi-mx"]}
    refused = await module_api.get("/complaints?brand=delonghi-mx", headers=XIAOMI_AGENT)
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "these credentials are for brands xiaomi-in only: they may not list brand 'delonghi-mx'",
    )
    nowhere = bearer("agent", "x", brands=("no-such-brand",))
    assert await _listed(module_api, nowhere) == set()


async def test_a_cursor_of_a_scoped_list_pages_only_through_it(
    module_api: httpx.AsyncClient, three_brands: dict[str, str]
) -> None:
    await eventually(lambda: _all_listed(module_api, set(three_brands.values())))
    first = (await module_api.get("/complaints?page_size=1", headers=XIAOMI_AGENT)).json()
    token = first["next_page_token"]
    rest = await module_api.get(
        "/complaints", params={"page_size": 1, "page_token": token}, headers=XIAOMI_AGENT
    )
    assert rest.status_code == 200
    seen = {first["complaints"][0]["id"], rest.json()["complaints"][0]["id"]}
    assert seen == {three_brands["xiaomi-in"], three_brands["xiaomi-in 2"]}
    borrowed = await module_api.get(
        "/complaints", params={"page_size": 1, "page_token": token}, headers=BOTH
    )
    assert borrowed.status_code == 422  # the cursor is bound to the scoped query


async def test_analytics_count_only_the_callers_brands(
    module_api: httpx.AsyncClient, three_brands: dict[str, str]
) -> None:
    await eventually(lambda: _all_listed(module_api, set(three_brands.values())))
    everything = (await module_api.get("/analytics/complaints")).json()
    scoped = await module_api.get("/analytics/complaints", headers=XIAOMI_ADMIN)
    assert scoped.status_code == 200, scoped.text
    counts = scoped.json()
    assert everything["overall"]["total"] == 4
    assert counts["overall"]["total"] == 2
    assert [bucket["value"] for bucket in counts["by_brand"]] == ["xiaomi-in"]
    assert {bucket["value"] for bucket in counts["by_country"]} == {"IN"}
    assert "no_diagnosis" not in {bucket["value"] for bucket in counts["by_case_type"]}
    assert (await module_api.get("/analytics/complaints", headers=XIAOMI_AGENT)).status_code == 403


async def _all_listed(api: httpx.AsyncClient, ids: set[str]) -> bool:
    await asyncio.sleep(0)
    return ids <= await _listed(api, ADMIN, "page_size=100")
