"""The API's `/metrics` over real HTTP: requests counted by route template, the page itself not
counted and open to Prometheus without credentials, the desk's open live streams."""

import uuid

import httpx

from harness.credentials import ADMIN
from harness.samples import FORM
from tests.desk.conftest import sign_in_token
from tests.desk.test_live import listening
from tests.support.metrics import scrape, total

REQUESTS = "http_requests"


async def test_requests_are_counted_by_route_template_never_by_raw_path(
    guest_api: httpx.AsyncClient,
) -> None:
    metrics = str(guest_api.base_url.join("/metrics"))
    one_complaint = {"handler": "/complaints/{complaint_id}", "method": "GET", "status": "200"}
    before = total(await scrape(metrics), REQUESTS, **one_complaint)

    filed = await guest_api.post("/complaints", json=FORM, headers=ADMIN)
    assert filed.status_code == 201, filed.text
    complaint_id = filed.json()["id"]
    for _ in range(2):
        read = await guest_api.get(f"/complaints/{complaint_id}", headers=ADMIN)
        assert read.status_code == 200
    unknown = await guest_api.get(f"/complaints/{uuid.uuid4().hex[:16]}", headers=ADMIN)
    assert unknown.status_code == 404
    assert (await guest_api.get(f"/no-such-page/{complaint_id}")).status_code == 404

    samples = await scrape(metrics)
    assert total(samples, REQUESTS, **one_complaint) - before == 2
    assert total(samples, REQUESTS, handler="/complaints", method="POST", status="201") == 1
    missing = {"handler": "/complaints/{complaint_id}", "method": "GET", "status": "404"}
    assert total(samples, REQUESTS, **missing) == 1
    assert total(samples, REQUESTS, handler="none", status="404") == 1  # no such route
    handlers = {sample.labels.get("handler") for sample in samples}
    assert not any(complaint_id in str(handler) for handler in handlers)
    assert "/metrics" not in handlers


async def test_open_live_streams_of_the_desk_are_a_gauge(guest_api: httpx.AsyncClient) -> None:
    metrics = str(guest_api.base_url.join("/metrics"))
    assert total(await scrape(metrics), "complaints_desk_live_streams") == 0
    async with httpx.AsyncClient(base_url=guest_api.base_url, timeout=30) as browser:
        token = sign_in_token("supervisor", "ana", "Ana")
        signed_in = await browser.get("/desk/sign-in", params={"token": token})
        assert signed_in.status_code == 303, signed_in.text
        async with listening(browser):
            assert total(await scrape(metrics), "complaints_desk_live_streams") == 1
