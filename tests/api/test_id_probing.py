"""Attack: telling by the answer's time whether someone else's complaint id exists (issue 13).

A foreign id and an unknown id must cost the same: the same calls to Temporal, and none to a
worker (a query waits on one). The time itself is measured in bench/id_probing.py.
"""

from collections import Counter

import httpx

from harness.credentials import ADMIN, customer_bearer
from harness.samples import FORM

MATEO = customer_bearer("mateo@example.mx")


async def test_a_foreign_id_and_an_unknown_id_make_the_same_calls(
    guest_api: httpx.AsyncClient, calls: Counter[str]
) -> None:
    lucias = (await guest_api.post("/complaints", json=FORM, headers=ADMIN)).json()["id"]
    calls.clear()
    foreign = await guest_api.get(f"/complaints/{lucias}", headers=MATEO)
    by_foreign = dict(calls)
    calls.clear()
    unknown = await guest_api.get("/complaints/0000000000000000", headers=MATEO)
    assert (foreign.status_code, unknown.status_code) == (404, 404)
    assert foreign.json()["detail"].replace(lucias, "ID") == unknown.json()["detail"].replace(
        "0000000000000000", "ID"
    )
    assert by_foreign == dict(calls) == {"describe_workflow_execution": 1}
