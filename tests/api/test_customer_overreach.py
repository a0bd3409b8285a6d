"""Attack: a customer reaching for what staff do, or for another caller's key (issue 13)."""

from typing import Any

import httpx

from harness.credentials import ADMIN, customer_bearer
from harness.samples import FORM

LUCIA = customer_bearer("lucia@example.mx")
MATEO = customer_bearer("mateo@example.mx")
OWN_FORM: dict[str, Any] = {**FORM, "recorded_by": {"role": "customer"}}
MATEO_FORM: dict[str, Any] = {
    **OWN_FORM,
    "customer": {"name": "Mateo", "email": "mateo@example.mx"},
}
STAFF_ONLY_CASE = {"case_type": "staff_insult"}


async def test_a_customer_cannot_start_a_playbook_by_filing(guest_api: httpx.AsyncClient) -> None:
    with_case = {**OWN_FORM, "brand": "delonghi-mx", "case": STAFF_ONLY_CASE}
    refused = await guest_api.post("/complaints", json=with_case, headers=LUCIA)
    assert refused.status_code == 403, refused.text
    assert "staff flag cases" in refused.json()["detail"]
    # Nor on a repeat filing about a complaint already open.
    first = await guest_api.post(
        "/complaints", json={**OWN_FORM, "brand": "delonghi-mx"}, headers=LUCIA
    )
    assert first.status_code == 201
    again = await guest_api.post("/complaints", json=with_case, headers=LUCIA)
    assert again.status_code == 403
    view = (await guest_api.get(f"/complaints/{first.json()['id']}", headers=ADMIN)).json()
    assert view["cases"] == [] and view["contacts"] == 1
    # Staff still name a case at filing.
    staff_form = {**FORM, "brand": "delonghi-mx", "product": "Magnifica", "case": STAFF_ONLY_CASE}
    by_staff = await guest_api.post("/complaints", json=staff_form, headers=ADMIN)
    assert by_staff.status_code == 201, by_staff.text
    assert [case["case_type"] for case in by_staff.json()["cases"]] == ["staff_insult"]


async def test_an_idempotency_key_belongs_to_its_caller(guest_api: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": "order-1001"}
    lucia = await guest_api.post("/complaints", json=OWN_FORM, headers={**LUCIA, **key})
    assert lucia.status_code == 201
    retried = await guest_api.post("/complaints", json=OWN_FORM, headers={**LUCIA, **key})
    assert retried.json()["id"] == lucia.json()["id"]
    # Another caller with the same key files their own complaint: no 409, nothing revealed.
    mateo = await guest_api.post("/complaints", json=MATEO_FORM, headers={**MATEO, **key})
    assert mateo.status_code == 201, mateo.text
    assert mateo.json()["id"] != lucia.json()["id"]


async def test_only_staff_mark_a_customer_high_frequency(guest_api: httpx.AsyncClient) -> None:
    """Issue 16 item 12. Seed 004: "Las quejas que se repiten 2 veces/alta frecuencia 3 veces
    serán manejadas por especialistas": staff say a customer is high-frequency; "customers can
    never set it"."""
    own = {**OWN_FORM, "customer": {"name": "Inés", "email": "ines@example.mx"}}
    ines = customer_bearer("ines@example.mx")
    filed = await guest_api.post("/complaints", json={**own, "high_frequency": True}, headers=ines)
    assert filed.status_code == 201, filed.text
    path = f"/complaints/{filed.json()['id']}"
    staff_view = (await guest_api.get(path, headers=ADMIN)).json()
    assert staff_view["high_frequency"] is False  # the filing has no such field
    refused = await guest_api.post(f"{path}/high-frequency", json={"reason": "me"}, headers=ines)
    assert refused.status_code == 403, refused.text
    assert "role customer may not do this" in refused.json()["detail"]
    marked = await guest_api.post(
        f"{path}/high-frequency", json={"reason": "Fourth complaint this year."}, headers=ADMIN
    )
    assert marked.status_code == 200, marked.text
    assert (await guest_api.get(path, headers=ADMIN)).json()["high_frequency"] is True
    customer_view = (await guest_api.get(path, headers=ines)).json()
    assert customer_view["high_frequency"] is None
    assert "Fourth complaint" not in str(customer_view["history"])
    again = await guest_api.post(f"{path}/high-frequency", json={"reason": "x"}, headers=ADMIN)
    assert again.status_code == 409 and "already high-frequency" in again.json()["detail"]
