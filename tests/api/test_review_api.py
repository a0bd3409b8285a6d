"""Reply approval, assessment and the decision reminder through HTTP and the running workflow."""

from datetime import timedelta

import httpx
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from harness.credentials import bearer
from harness.mailbox import Mailbox
from harness.samples import CUSTOMER_EMAIL, FORM, SEED_MATRIX
from harness.waiting import eventually
from tests.api.test_api import file
from tests.support.actions import propose
from tests.support.workflows import StartComplaint, view_when

ROLES = SEED_MATRIX.roles
DESK = SEED_MATRIX.levels[0].contacts.email


def subjects(mailbox: Mailbox, address: str) -> list[str]:
    return [str(message["Subject"]) for message in mailbox.to(address)]


async def test_the_team_leader_approves_a_reply_before_the_customer_sees_it(
    api: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    url = f"/complaints/{(await file(api))['id']}"
    for note in ("second call", "third call"):
        await api.post(f"{url}/contacts", json={"note": note})
    proposed = await api.post(f"{url}/resolution", json={"resolution": "Repair"})
    assert proposed.json()["status"] == "awaiting_approval"
    await eventually(
        lambda: any(
            "apruebe la respuesta" in s for s in subjects(mailbox, ROLES["team_leader"].email)
        )
    )
    customer = FORM["customer"]["email"]
    assert not any("Una solución" in s for s in subjects(mailbox, customer))

    no_reason = await api.post(f"{url}/reply-approval", json={"decision": "refuse"})
    assert no_reason.status_code == 422
    approved = await api.post(f"{url}/reply-approval", json={"decision": "approve"})
    assert (approved.status_code, approved.json()["status"]) == (200, "awaiting_customer")
    await eventually(lambda: any("Una solución" in s for s in subjects(mailbox, customer)))
    again = await api.post(f"{url}/reply-approval", json={"decision": "approve"})
    assert again.status_code == 409


async def test_the_third_level_assessment_opens_accountability(
    api: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    url = f"/complaints/{(await file(api))['id']}"
    answers = {
        "company_responsible": True,
        "first_handling_appropriate": False,
        "appeal_reasonable": True,
    }
    too_early = await api.post(f"{url}/assessment", json=answers)
    assert (
        too_early.status_code == 409 and "not the third-level manager" in too_early.json()["detail"]
    )
    for _ in range(3):
        await api.post(f"{url}/contacts", json={})
    manager = bearer("supervisor", "sofia", "Sofía")
    assessed = await api.post(f"{url}/assessment", json=answers, headers=manager)
    assert assessed.status_code == 200, assessed.text
    assert assessed.json()["accountability"]["assessed_by"] == "Sofía"
    await eventually(lambda: mailbox.to(ROLES["accountability"].email))


async def test_the_running_workflow_reminds_before_a_resolution_stands(
    env: WorkflowEnvironment, worker: Worker, mailbox: Mailbox, start_complaint: StartComplaint
) -> None:
    handle = await start_complaint()
    await propose(handle, "Replace the phone")
    await env.sleep(timedelta(days=10, minutes=1))
    await view_when(handle, lambda v: any(s.kind == "decision_reminded" for s in v.history))
    await eventually(lambda: any("Reminder" in s for s in subjects(mailbox, CUSTOMER_EMAIL)))
    await eventually(lambda: any("has not answered" in s for s in subjects(mailbox, DESK)))
    await env.sleep(timedelta(days=4))
    await view_when(handle, lambda v: v.status == "resolved")
