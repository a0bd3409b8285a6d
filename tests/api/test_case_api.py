"""Playbook actions over HTTP: flag a case, answer it, record its events, and the errors."""

from datetime import timedelta

import httpx
from temporalio.testing import WorkflowEnvironment

from harness.mailbox import Mailbox
from harness.samples import FORM
from harness.waiting import eventually

CENTRE = {"service_centre": "SAT Sur", "service_order": "SO-7"}


async def file_delonghi(api: httpx.AsyncClient) -> str:
    filed = await api.post("/complaints", json={**FORM, "brand": "delonghi-mx"})
    assert filed.status_code == 201, filed.text
    return f"/complaints/{filed.json()['id']}"


async def test_flag_answer_and_events_over_http(
    api: httpx.AsyncClient, env: WorkflowEnvironment, mailbox: Mailbox
) -> None:
    url = await file_delonghi(api)
    flagged = await api.post(
        f"{url}/cases",
        json={
            "case_type": "unit_returned_damaged",
            "fields": {**CENTRE, "packing": "caja"},
        },
    )
    assert flagged.status_code == 200, flagged.text
    case = flagged.json()["cases"][0]
    assert (case["case_type"], case["asked"]) == ("unit_returned_damaged", "service_centre")
    await eventually(lambda: mailbox.to("sat-sur@servicio.example.mx"))

    answered = await api.post(
        f"{url}/cases/unit_returned_damaged/answer",
        json={"answer": "Golpe por mal embalaje", "outcome": "transport_damage"},
    )
    assert answered.status_code == 200, answered.text
    case = answered.json()["cases"][0]
    assert (case["outcome"], case["done_at"] is not None) == ("transport_damage", True)
    await eventually(
        lambda: any(
            "lo que encontró el centro de servicio" in str(m["Subject"])
            for m in mailbox.to("lucia@example.mx")
        )
    )
    again = await api.post(f"{url}/cases/unit_returned_damaged/answer", json={"answer": "otra vez"})
    assert again.status_code == 409 and "is done since" in again.json()["detail"]

    await api.post(f"{url}/cases", json={"case_type": "injury_or_damage"})
    claim = await api.post(f"{url}/cases/injury_or_damage/events", json={"event": "claim"})
    assert claim.status_code == 200
    assert claim.json()["cases"][1]["escalations"][0]["escalated_to"] == "supervisor"
    noted = await api.post(f"{url}/cases/injury_or_damage/notes", json={"text": "Fotos recibidas"})
    last = noted.json()["history"][-1]
    assert (last["kind"], last["case"], last["text"]) == (
        "note_added",
        "injury_or_damage",
        "Fotos recibidas",
    )
    unflagged = await api.post(f"{url}/cases/legal_threat/notes", json={"text": "x"})
    assert unflagged.status_code == 409

    # The claim's messages go out meanwhile: the case to the supervisor, with its record, and
    # the seed's own injury template to the customer.
    await env.sleep(timedelta(minutes=1))

    async def claim_messages_sent() -> bool:
        history = (await api.get(url)).json()["history"]
        sent = " ".join(step["text"] for step in history if step["kind"] == "notified")
        return (
            "template default/es-MX/case_escalation" in sent
            and "template delonghi-mx/es-MX/injury_claim" in sent
        )

    await eventually(claim_messages_sent)
    [escalation] = mailbox.to("supervisor@delonghi.example.mx")
    assert "escalada a usted" in str(escalation["Subject"])
    assert "Lucía Hernández" in escalation.get_content()  # the record names the customer
    told = [str(m["Subject"]) for m in mailbox.to("lucia@example.mx")]
    assert any("su seguridad es nuestra prioridad" in subject for subject in told), told


async def test_case_errors_name_the_problem(api: httpx.AsyncClient) -> None:
    url = await file_delonghi(api)
    cases = f"{url}/cases"
    unknown = await api.post(cases, json={"case_type": "ufo"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "case_type"]
    assert "has no playbook 'ufo'" in unknown.json()["detail"][0]["msg"]
    missing = await api.post(cases, json={"case_type": "no_diagnosis"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "fields"]
    assert "give the fields" in missing.json()["detail"][0]["msg"]
    bad_field = await api.post(
        cases, json={"case_type": "no_diagnosis", "fields": {"Bad Name": "x"}}
    )
    assert bad_field.status_code == 422 and bad_field.json()["detail"][0]["loc"][:2] == [
        "body",
        "fields",
    ]
    not_flagged = await api.post(f"{cases}/legal_threat/events", json={"event": "claim"})
    assert not_flagged.status_code == 409
    assert not_flagged.json()["detail"] == "no legal_threat case is flagged on this complaint"
    await api.post(cases, json={"case_type": "legal_threat"})
    wrong_event = await api.post(f"{cases}/legal_threat/events", json={"event": "x"})
    assert wrong_event.status_code == 422
    assert wrong_event.json()["detail"][0]["loc"] == ["body", "event"]
    assert "unknown event 'x'" in wrong_event.json()["detail"][0]["msg"]
    twice = await api.post(cases, json={"case_type": "legal_threat"})
    assert twice.status_code == 409
    nobody = await api.post(
        "/complaints/0000000000000000/cases", json={"case_type": "legal_threat"}
    )
    assert nobody.status_code == 404


async def test_a_case_named_at_filing_starts_its_playbook_with_the_complaint(
    api: httpx.AsyncClient,
) -> None:
    form = {**FORM, "brand": "delonghi-mx", "case": {"case_type": "legal_threat"}}
    filed = await api.post("/complaints", json=form)
    assert filed.status_code == 201, filed.text
    assert [case["case_type"] for case in filed.json()["cases"]] == ["legal_threat"]

    unknown = await api.post(
        "/complaints", json={**form, "product": "Eletta", "case": {"case_type": "ufo"}}
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "case", "case_type"]
    missing = await api.post(
        "/complaints", json={**form, "product": "Eletta", "case": {"case_type": "no_diagnosis"}}
    )
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "case", "fields"]
