"""Who holds a complaint, through HTTP and the running workflow: take, give, release."""

import httpx

from harness.credentials import bearer, customer_bearer
from harness.samples import FORM
from tests.api.test_api import file

PRIYA = bearer("agent", "priya", "Priya")
RAVI = bearer("agent", "ravi", "Ravi")
ANA = bearer("supervisor", "ana", "Ana")
CUSTOMER = customer_bearer(FORM["customer"]["email"])


async def test_an_agent_takes_a_complaint_and_staff_see_who_holds_it(
    api: httpx.AsyncClient,
) -> None:
    url = f"/complaints/{(await file(api))['id']}"
    assert (await api.get(url)).json()["assignee"] is None
    taken = await api.post(f"{url}/take", headers=PRIYA)
    assert taken.status_code == 200, taken.text
    assert taken.json()["assignee"] == {"sub": "priya", "name": "Priya"}
    step = taken.json()["history"][-1]
    assert (step["kind"], step["actor"], step["reason"]) == (
        "assigned",
        {"role": "agent", "name": "Priya"},
        "taken by Priya",
    )
    assert (await api.get(url)).json()["assignee"] == {"sub": "priya", "name": "Priya"}

    seen_by_customer = (await api.get(url, headers=CUSTOMER)).json()
    assert seen_by_customer["assignee"] is None
    assert "assigned" not in {step["kind"] for step in seen_by_customer["history"]}
    assert (await api.post(f"{url}/take", headers=CUSTOMER)).status_code == 403


async def test_refusals_say_who_holds_it(api: httpx.AsyncClient) -> None:
    url = f"/complaints/{(await file(api))['id']}"
    released = await api.post(f"{url}/release", headers=PRIYA)
    assert released.status_code == 409
    assert released.json()["detail"].startswith("cannot release: nobody holds it")
    await api.post(f"{url}/take", headers=PRIYA)
    for action, body in (("take", None), ("release", None), ("give", {"assignee": _ravi()})):
        refused = await api.post(f"{url}/{action}", json=body, headers=RAVI)
        assert refused.status_code == 409, action
        assert "Priya holds it" in refused.json()["detail"]
    given = await api.post(f"{url}/give", json={"assignee": _ravi()}, headers=PRIYA)
    assert given.json()["assignee"] == _ravi()
    assert given.json()["history"][-1]["reason"] == "given to Ravi by Priya"


async def test_give_names_a_person_by_sub_and_name(api: httpx.AsyncClient) -> None:
    url = f"/complaints/{(await file(api))['id']}"
    for body in ({}, {"assignee": {"sub": "ravi"}}, {"assignee": {"sub": " ", "name": "R"}}):
        refused = await api.post(f"{url}/give", json=body, headers=ANA)
        assert refused.status_code == 422, body
        assert refused.json()["detail"][0]["loc"][:2] == ["body", "assignee"]
    smuggled = await api.post(f"{url}/take", json={"by_sub": "ravi"}, headers=PRIYA)
    assert (await api.get(url)).json()["assignee"] == {"sub": "priya", "name": "Priya"}
    assert smuggled.status_code == 200  # a body the route does not take is not read


async def test_escalation_puts_the_complaint_in_the_next_levels_queue(
    api: httpx.AsyncClient,
) -> None:
    url = f"/complaints/{(await file(api))['id']}"
    await api.post(f"{url}/give", json={"assignee": _ravi()}, headers=ANA)
    escalated = await api.post(f"{url}/escalation", json={"reason": "Press"}, headers=ANA)
    body = escalated.json()
    assert (body["level"], body["assignee"]) == (2, None)
    released = next(step for step in body["history"] if step["kind"] == "released")
    assert released["assignee"] == _ravi()
    assert released["reason"].startswith("Ravi no longer holds it: escalated to L2")


def _ravi() -> dict[str, str]:
    return {"sub": "ravi", "name": "Ravi"}
