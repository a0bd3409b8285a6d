"""The customer's tracking page over real HTTP: the link from the acknowledgement email, the
public history only, the customer's own actions through its forms, forged links and CSRF."""

import re
from datetime import timedelta

import httpx
from temporalio.testing import WorkflowEnvironment

from activities.journal_store import CaseJournal
from activities.models import JournalMessage
from activities.notifications import HIDDEN_LINK
from harness.credentials import ADMIN, bearer
from harness.mailbox import Mailbox
from harness.samples import FORM
from harness.waiting import eventually
from tests.track.conftest import (
    INDIA,
    PUBLIC_URL,
    csrf_of,
    file_complaint,
    text_of,
    tracking_path,
)

AGENT = bearer("agent", "priya", "Priya")


async def test_the_acknowledgement_links_to_a_page_with_the_status_and_no_internal_note(
    api: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    complaint_id = await file_complaint(api, INDIA)
    path = await tracking_path(mailbox, "asha@example.in")
    acknowledgement = mailbox.to("asha@example.in")[0].get_content()
    assert f"Track your complaint: {PUBLIC_URL}{path}" in acknowledgement
    secret = "Customer sounds litigious; offer nothing yet"
    noted = await api.post(
        f"/complaints/{complaint_id}/notes", json={"text": secret}, headers=AGENT
    )
    assert noted.status_code == 200, noted.text
    public = "We have asked the service centre for a diagnosis"
    told = await api.post(
        f"/complaints/{complaint_id}/notes",
        json={"text": public, "internal": False},
        headers=AGENT,
    )
    assert told.status_code == 200, told.text

    page = await api.get(path)
    assert page.status_code == 200
    words = text_of(page)
    assert f"Your complaint {complaint_id}" in words
    assert "Status being worked on" in words
    assert "Level 1 · Grievance Desk" in words and "Handled by our grievance desk" in words
    assert "We answer by" in words and "(48 hours)" in words
    assert public in words
    assert secret not in page.text
    assert "Priya" not in page.text  # staff by role, never by name
    assert '<html lang="en-IN">' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_the_customer_rejects_the_proposal_through_the_form_and_it_escalates(
    api: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    complaint_id = await file_complaint(api, INDIA)
    path = await tracking_path(mailbox, "asha@example.in")
    proposed = await api.post(
        f"/complaints/{complaint_id}/resolution",
        json={"resolution": "A software reset at the service centre."},
        headers=AGENT,
    )
    assert proposed.status_code == 200, proposed.text
    page = await api.get(path)
    assert "A software reset at the service centre." in text_of(page)
    csrf = csrf_of(page)

    empty = await api.post(f"{path}/reject", data={"csrf_token": csrf, "reason": " "})
    assert empty.status_code == 422
    assert "Please fill in this field." in text_of(empty)

    rejected = await api.post(
        f"{path}/reject", data={"csrf_token": csrf, "reason": "Reset does not help"}
    )
    assert rejected.status_code == 303
    assert rejected.headers["location"] == f"{path}?done=1"

    view = (await api.get(f"/complaints/{complaint_id}", headers=ADMIN)).json()
    assert (view["status"], view["level"]) == ("open", 2)
    step = next(step for step in view["history"] if step["kind"] == "rejected")
    assert step["actor"] == {"role": "customer", "name": "Asha Verma"}
    assert step["reason"] == "Reset does not help"
    after = await api.get(f"{path}?done=1")
    assert "Done. Thank you." in text_of(after)
    assert "Level 2" in text_of(after)

    again = await api.post(f"{path}/accept", data={"csrf_token": csrf})
    assert again.status_code == 409  # nothing awaits the customer's decision now
    assert "That could not be done" in text_of(again)


async def test_a_message_counts_as_a_contact_as_the_policy_says(
    env: WorkflowEnvironment, api: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    complaint_id = await file_complaint(api, INDIA)
    path = await tracking_path(mailbox, "asha@example.in")
    csrf = csrf_of(await api.get(path))

    sent = await api.post(f"{path}/message", data={"csrf_token": csrf, "note": "Any news?"})
    assert sent.status_code == 303
    view = (await api.get(f"/complaints/{complaint_id}", headers=ADMIN)).json()
    step = next(step for step in view["history"] if step["kind"] == "contacted")
    assert (step["kind"], step["text"], step["actor"]["role"]) == (
        "contacted",
        "Any news?",
        "customer",
    )
    assert step["reason"].startswith("not counted: within 1 hour")  # the filing was just now
    assert view["contacts"] == 1

    await env.sleep(timedelta(hours=1, minutes=1))
    again = await api.post(f"{path}/message", data={"csrf_token": csrf, "note": "Still dead."})
    assert again.status_code == 303
    view = (await api.get(f"/complaints/{complaint_id}", headers=ADMIN)).json()
    assert view["contacts"] == 2
    assert view["handling"] == "complaint_specialists"
    page = text_of(await api.get(path))
    assert "Still dead." in page and "Any news?" in page


async def test_a_forged_or_altered_link_is_404(api: httpx.AsyncClient, mailbox: Mailbox) -> None:
    await file_complaint(api, INDIA)
    path = await tracking_path(mailbox, "asha@example.in")
    altered = path[:-2] + ("AA" if not path.endswith("AA") else "BB")
    for wrong in (altered, "/track/not-a-link", "/track/ImFiYzEyMyI.forged"):
        page = await api.get(wrong)
        assert page.status_code == 404, wrong
        assert "This link does not work" in text_of(page)
        assert (await api.post(f"{wrong}/accept", data={})).status_code == 404


async def test_a_post_without_the_csrf_token_is_403(
    api: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    complaint_id = await file_complaint(api, INDIA)
    path = await tracking_path(mailbox, "asha@example.in")
    missing = await api.post(f"{path}/message", data={"note": "Any news?"})
    assert missing.status_code == 403
    wrong = await api.post(f"{path}/message", data={"note": "x", "csrf_token": "0" * 64})
    assert wrong.status_code == 403
    view = (await api.get(f"/complaints/{complaint_id}", headers=ADMIN)).json()
    assert view["contacts"] == 1


async def test_a_mexican_complaints_page_is_in_spanish(
    api: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    complaint_id = await file_complaint(api, {**FORM, "brand": "delonghi-mx"})
    path = await tracking_path(mailbox, "lucia@example.mx")
    assert f"Siga su queja: {PUBLIC_URL}{path}" in mailbox.to("lucia@example.mx")[0].get_content()
    page = await api.get(path)
    assert page.status_code == 200
    words = text_of(page)
    assert '<html lang="es-MX">' in page.text
    assert f"Su queja {complaint_id}" in words
    assert "Estado en atención" in words
    assert "Lo que ha pasado" in words
    assert "Nuestro sistema registró la queja" in words
    assert "Envíenos un mensaje" in words
    weekday = "(lunes|martes|miércoles|jueves|viernes|sábado|domingo)"
    assert re.search(weekday + r", \d+ de \w+ de 20\d\d", words)  # babel's Spanish dates


async def test_accept_then_reopen_within_the_window_and_404_once_it_has_passed(
    env: WorkflowEnvironment, api: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    complaint_id = await file_complaint(api, INDIA)
    path = await tracking_path(mailbox, "asha@example.in")

    async def propose_and_accept() -> None:
        proposed = await api.post(
            f"/complaints/{complaint_id}/resolution",
            json={"resolution": "A new handset."},
            headers=AGENT,
        )
        assert proposed.status_code == 200, proposed.text
        csrf = csrf_of(await api.get(path))
        accepted = await api.post(f"{path}/accept", data={"csrf_token": csrf})
        assert accepted.status_code == 303

    await propose_and_accept()
    page = await api.get(path)
    words = text_of(page)
    assert "Status resolved" in words and "You can reopen it until" in words
    assert "Send us a message" not in words
    reopened = await api.post(
        f"{path}/reopen", data={"csrf_token": csrf_of(page), "reason": "It died again."}
    )
    assert reopened.status_code == 303
    view = (await api.get(f"/complaints/{complaint_id}", headers=ADMIN)).json()
    assert view["status"] == "open"
    step = next(step for step in view["history"] if step["kind"] == "reopened")
    assert (step["reason"], step["actor"]["role"]) == ("It died again.", "customer")

    await propose_and_accept()
    await env.sleep(timedelta(days=8))  # the policy's reopen window is 7 days
    gone = await api.get(path)
    assert gone.status_code == 404


async def test_the_journal_keeps_the_acknowledgement_without_the_link(
    api: httpx.AsyncClient, mailbox: Mailbox, journal: CaseJournal
) -> None:
    complaint_id = await file_complaint(api, INDIA)
    path = await tracking_path(mailbox, "asha@example.in")

    async def acknowledged() -> JournalMessage | None:
        case = journal.case(complaint_id)
        found = [m for m in case.messages if m.kind == "acknowledgement"] if case else []
        return found[0] if found else None

    kept = await eventually(acknowledged)
    assert HIDDEN_LINK in kept.text and path not in kept.text  # staff cannot act as the customer
