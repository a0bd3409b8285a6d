"""Dates at the edge of the calendar: a moment with no UTC equivalent is a 422 naming its field,
for staff and customers alike; a case's date too close to the calendar's end for its playbook's
timings is a 422 too, and never stalls the complaint's workflow."""

from typing import Any

import httpx
import pytest

from harness.credentials import ADMIN, customer_bearer
from harness.samples import FORM

LUCIA = customer_bearer("lucia@example.mx")
BEYOND_UTC = [
    "0001-01-01T00:00:00+12:00",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+00:01",
    "9999-12-31T23:59:59.999999-00:01",
]
"""Year 1 east of Greenwich and year 9999 west of it: before 0001-01-01 or after 9999 in UTC."""
AT_THE_EDGE = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "0001-01-01T23:00-23:00"]
"""The first and last moments there are, in UTC: these are fine."""
LATE_CASE_DATES = ["9999-12-31", "9999-12-27", "9999-06-30"]
RETURN_LETTER = "return_letter_not_received"
"""De'Longhi México's playbook promising 5 business days since a date the agent gives."""


@pytest.mark.parametrize("moment", BEYOND_UTC)
@pytest.mark.parametrize("field", ["opened_from", "opened_to"])
@pytest.mark.parametrize(
    ("route", "caller"),
    [("/complaints", ADMIN), ("/complaints", LUCIA), ("/analytics/complaints", ADMIN)],
    ids=["search by staff", "search by a customer", "analytics"],
)
async def test_a_moment_outside_utc_is_a_422_naming_its_field(
    module_api: httpx.AsyncClient, route: str, caller: dict[str, str], field: str, moment: str
) -> None:
    answer = await module_api.get(route, params={field: moment}, headers=caller)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    assert error["loc"] == ["query", field]
    assert "UTC" in error["msg"]


async def test_both_bounds_outside_utc_name_both(module_api: httpx.AsyncClient) -> None:
    period = {"opened_from": BEYOND_UTC[0], "opened_to": BEYOND_UTC[1]}
    answer = await module_api.get("/complaints", params=period)
    assert answer.status_code == 422, answer.text
    locs = [error["loc"] for error in answer.json()["detail"]]
    assert locs == [["query", "opened_from"], ["query", "opened_to"]]


@pytest.mark.parametrize("moment", AT_THE_EDGE)
@pytest.mark.parametrize("field", ["opened_from", "opened_to"])
@pytest.mark.parametrize("route", ["/complaints", "/analytics/complaints"])
async def test_the_first_and_last_moments_in_utc_are_searchable(
    module_api: httpx.AsyncClient, route: str, field: str, moment: str
) -> None:
    answer = await module_api.get(route, params={field: moment})
    assert answer.status_code == 200, answer.text


async def _file(api: httpx.AsyncClient, **changes: Any) -> str:
    filed = await api.post("/complaints", json={**FORM, "brand": "delonghi-mx", **changes})
    assert filed.status_code == 201, filed.text
    return filed.json()["id"]


def _return_letter(requested_on: str) -> dict[str, Any]:
    return {"case_type": RETURN_LETTER, "fields": {"requested_on": requested_on}}


@pytest.mark.parametrize("requested_on", LATE_CASE_DATES)
async def test_a_case_date_too_late_for_its_timings_is_a_422_and_the_complaint_carries_on(
    module_api: httpx.AsyncClient, requested_on: str
) -> None:
    complaint_id = await _file(module_api, product=f"Magnifica {requested_on}")
    flagged = await module_api.post(
        f"/complaints/{complaint_id}/cases", json=_return_letter(requested_on)
    )
    assert flagged.status_code == 422, flagged.text
    [error] = flagged.json()["detail"]
    assert error["loc"] == ["body", "fields"]
    assert "requested_on" in error["msg"]

    read = await module_api.get(f"/complaints/{complaint_id}")
    assert read.status_code == 200, read.text
    flagged = await module_api.post(
        f"/complaints/{complaint_id}/cases", json=_return_letter("2026-11-20")
    )
    assert flagged.status_code == 200, flagged.text
    [case] = flagged.json()["cases"]
    assert (case["case_type"], case["promise"]) == (RETURN_LETTER, "5 business days")


async def test_a_filing_naming_a_case_with_a_date_too_late_is_a_422(
    module_api: httpx.AsyncClient,
) -> None:
    answer = await module_api.post(
        "/complaints",
        json={**FORM, "brand": "delonghi-mx", "case": _return_letter("9999-12-31")},
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    assert error["loc"] == ["body", "case", "fields"]


async def test_a_case_dated_on_the_calendars_first_day_is_taken(
    module_api: httpx.AsyncClient,
) -> None:
    complaint_id = await _file(module_api, product="Dinamica")
    flagged = await module_api.post(
        f"/complaints/{complaint_id}/cases", json=_return_letter("0001-01-01")
    )
    assert flagged.status_code == 200, flagged.text
    reasons = [step["reason"] or "" for step in flagged.json()["history"]]
    assert any("wait already ended" in reason for reason in reasons), reasons
