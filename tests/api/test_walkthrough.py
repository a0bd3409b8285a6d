"""docs/api.md's walkthrough from intake to closure, request for request and in the same order."""

from datetime import timedelta
from typing import Any

import httpx
from temporalio.testing import WorkflowEnvironment

from harness.credentials import bearer, customer_bearer

LUCIA = customer_bearer("lucia@example.mx")
AGENT = bearer("agent", "priya", "Priya")
SUPERVISOR = bearer("supervisor", "ana", "Ana")
FORM: dict[str, Any] = {
    "customer": {
        "name": "Lucía Hernández",
        "email": "lucia@example.mx",
        "phone": "+52 55 1234 5678",
    },
    "country": "MX",
    "brand": "delonghi-mx",
    "product": "Dedica EC685",
    "channel": "app",
    "reason": "No diagnosis from service centre",
    "description": "SAT Norte has had my coffee machine for three weeks without a diagnosis.",
    "recorded_by": {"role": "customer"},
}
KEY = {"Idempotency-Key": "lucia-2026-11-23-dedica"}


async def test_from_intake_to_closure(api: httpx.AsyncClient, env: WorkflowEnvironment) -> None:
    async def call(
        expected: int, who: dict[str, str], method: str, url: str, body: Any = None, **kw: Any
    ) -> dict[str, Any]:
        response = await api.request(method, url, json=body, headers={**who, **kw})
        assert response.status_code == expected, f"{method} {url}: {response.text}"
        return response.json()

    # 1. Lucía files her complaint; a retry with the same key returns the same complaint.
    filed = await call(201, LUCIA, "POST", "/complaints", FORM, **KEY)
    assert (filed["level"], filed["level_name"], filed["status"]) == (
        1,
        "Agente de Servicio al Cliente",
        "open",
    )
    url = f"/complaints/{filed['id']}"
    assert (await call(201, LUCIA, "POST", "/complaints", FORM, **KEY))["id"] == filed["id"]

    # 2. She reads it.
    read = await call(200, LUCIA, "GET", url)
    assert read["history"][0]["kind"] == "opened"

    # 3. The agent adds a note.
    noted = await call(200, AGENT, "POST", f"{url}/notes", {"text": "Called SAT Norte."})
    assert noted["history"][-1]["actor"] == {"role": "agent", "name": "Priya"}

    # 4. The agent flags the case type: its playbook asks the centre and promises 72 hours.
    flag = {
        "case_type": "no_diagnosis",
        "fields": {"service_centre": "SAT Norte", "service_order": "SO-4411"},
    }
    flagged = await call(200, AGENT, "POST", f"{url}/cases", flag)
    case = flagged["cases"][0]
    assert (case["asked"], case["promise"], case["done_at"]) == ("service_centre", "72 hours", None)

    # 5. The agent records the centre's answer: the case is done.
    answer = {"answer": "Pump failed; repair under warranty, parts in stock."}
    answered = await call(200, AGENT, "POST", f"{url}/cases/no_diagnosis/answer", answer)
    assert answered["cases"][0]["done_at"] is not None

    # 6. The agent proposes a resolution; the clock stops while Lucía decides.
    proposal = {"resolution": "Pump replaced under warranty; the machine ships back Friday."}
    proposed = await call(200, AGENT, "POST", f"{url}/resolution", proposal)
    assert (proposed["status"], proposed["deadline"]) == ("awaiting_customer", None)

    # 7. Lucía rejects it: the complaint escalates to level 2 at once.
    rejection = {"decision": "reject", "reason": "I want a new machine, not a repair."}
    rejected = await call(200, LUCIA, "POST", f"{url}/feedback", rejection)
    assert (rejected["level"], rejected["level_name"], rejected["status"]) == (
        2,
        "Supervisor",
        "open",
    )

    # 8. The supervisor moves it up to the brand's escalations (level 3).
    escalation = {"reason": "Third visit to the centre; the customer asks for a replacement."}
    escalated = await call(200, SUPERVISOR, "POST", f"{url}/escalation", escalation)
    assert (escalated["level"], escalated["level_name"]) == (3, "De'Longhi México")

    # 9. A new resolution; 10. Lucía accepts it: resolved, reopenable for 14 days.
    offer = {"resolution": "A new Dedica EC685, delivered within 5 business days."}
    await call(200, AGENT, "POST", f"{url}/resolution", offer)
    accepted = await call(200, LUCIA, "POST", f"{url}/feedback", {"decision": "accept"})
    assert accepted["status"] == "resolved"
    assert accepted["reopen_until"] is not None

    # 11. The new machine does not arrive: she reopens it, at the level it had.
    reopened = await call(200, LUCIA, "POST", f"{url}/reopen", {"reason": "It never arrived."})
    assert (reopened["status"], reopened["level"]) == ("open", 3)

    # 12. Delivered after all: resolved again.
    delivered = {"resolution": "Delivered on 4 December, tracking DHL 1234567890."}
    await call(200, AGENT, "POST", f"{url}/resolution", delivered)
    await call(200, LUCIA, "POST", f"{url}/feedback", {"decision": "accept"})

    # 13. Once the reopen window (14 days) has passed, the complaint is closed for good.
    await env.sleep(timedelta(days=14, hours=1))
    closed = await call(200, LUCIA, "GET", url)
    assert closed["status"] == "closed"
    late = await call(409, LUCIA, "POST", f"{url}/reopen", {"reason": "Broke again."})
    assert late["detail"] == f"complaint {filed['id']} is closed"
