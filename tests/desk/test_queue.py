"""The desk's queue and the case page's messages over real HTTP, read from the case journal the
worker writes: breached first, filters and "my queue", brand scope, the messages as sent."""

import asyncio
import html
import re
from collections.abc import Callable
from datetime import timedelta

import httpx
from temporalio.testing import WorkflowEnvironment

from activities.journal_store import IN_MEMORY, CaseJournal, QueueQuery, QueueRow
from api.settings import ApiSettings
from harness.api import serve_api
from harness.credentials import bearer
from harness.mailbox import Mailbox
from harness.samples import FORM
from tests.desk.conftest import SignIn, csrf_of, file_complaint

H = timedelta(hours=1)
PRE = re.compile(r"<pre>(.*?)</pre>", re.S)
ID = re.compile(r'<a class="mono" href="/desk/complaints/([a-z0-9]+)">')


def _customer(n: int) -> dict[str, object]:
    """Another customer (the same one again would join the first complaint as a repeat)."""
    return {**FORM["customer"], "email": f"c{n}@example.mx", "phone": f"+52 55 0000 000{n}"}


def _text(page: httpx.Response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.text).split())


def _listed(page: httpx.Response) -> list[str]:
    """The queue's complaint ids, in the order shown."""
    assert page.status_code == 200, page.text
    return ID.findall(page.text)


async def _until(
    journal: CaseJournal, ready: Callable[[CaseJournal], bool], what: str, within: float = 10.0
) -> None:
    """The worker writes the journal after the workflow moves: wait for it to catch up."""
    for _ in range(int(within / 0.1)):
        if ready(journal):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the journal never showed {what}")


def _assignee(journal: CaseJournal, complaint_id: str) -> str | None:
    row = _row(journal, complaint_id)
    return row.assignee_sub if row else None


def _row(journal: CaseJournal, complaint_id: str) -> QueueRow | None:
    found = journal.case(complaint_id)
    return found.row if found else None


async def test_a_breached_complaint_comes_first_with_its_badge(
    env: WorkflowEnvironment, api: httpx.AsyncClient, sign_in: SignIn, journal: CaseJournal
) -> None:
    late = await file_complaint(api)
    await env.sleep(48 * H + 24 * H + 12 * H + H)  # past L1, L2 and L3: breached at the top
    fresh = await file_complaint(api, customer=_customer(1))
    await _until(
        journal,
        lambda j: (row := _row(j, late)) is not None and row.breached and j.has(fresh),
        "the breach",
    )

    desk = await sign_in()
    page = await desk.get("/desk")
    assert _listed(page) == [late, fresh]
    first, second = page.text.split('<tr class="sla-')[1:3]
    assert first.startswith("breached") and "late by" in first and "L3" in first
    assert second.startswith("on-track") and "left" in second.split("</tr>")[0]
    assert "office of the president" in _text(page)

    breached_at_l3 = await desk.get("/desk", params={"level": "3", "breached": "yes"})
    assert _listed(breached_at_l3) == [late]
    assert 'aria-current="page">Breached at L3</a>' in breached_at_l3.text
    assert _listed(await desk.get("/desk", params={"breached": "no"})) == [fresh]


async def test_filters_and_my_queue(
    api: httpx.AsyncClient, sign_in: SignIn, journal: CaseJournal
) -> None:
    mine, other = await file_complaint(api), await file_complaint(api, customer=_customer(1))
    await _until(journal, lambda j: j.has(mine) and j.has(other), "both complaints")
    desk = await sign_in("agent", "priya", "Priya")
    case = await desk.get(f"/desk/complaints/{mine}")
    taken = await desk.post(f"/desk/complaints/{mine}/take", data={"csrf_token": csrf_of(case)})
    assert taken.status_code == 303, taken.text
    await _until(journal, lambda j: _assignee(j, mine) == "priya", "it taken")

    my_queue = await desk.get("/desk", params={"mine": "1"})
    assert _listed(my_queue) == [mine]
    assert "Priya" in _text(my_queue)
    assert 'aria-current="page">My queue</a>' in my_queue.text
    other_agent = await sign_in("agent", "ravi", "Ravi")
    assert _listed(await other_agent.get("/desk", params={"mine": "1"})) == []

    assert set(_listed(await desk.get("/desk", params={"country": "mx", "level": "1"}))) == {
        mine,
        other,
    }
    assert _listed(await desk.get("/desk", params={"status": "paused"})) == []
    assert _listed(await desk.get("/desk", params={"level": "2"})) == []
    assert _listed(await desk.get("/desk", params={"owner_role": "grievance_desk"}))
    assert _listed(await desk.get("/desk", params={"case_type": "injury"})) == []
    paged = await desk.get("/desk", params={"page_size": "25", "page": "2"})
    assert _listed(paged) == [] and "Page 2 is past the last page (1)" in _text(paged)

    wrong = await desk.get("/desk", params={"level": "top", "status": "lost"})
    assert wrong.status_code == 422
    assert 'id="q-level-error">a whole number from 1 to 99' in wrong.text
    assert 'id="q-status-error">not a status' in wrong.text

    # the table refreshes itself from the very same URL, so the agent keeps their place
    refresh = re.search(
        r'<div id="queue" hx-get="([^"]+)" hx-trigger="every 30s[^"]*"', my_queue.text
    )
    assert refresh and refresh.group(1) == "/desk?mine=1"
    polled = await desk.get("/desk", params={"mine": "1"}, headers={"HX-Request": "true"})
    assert polled.text.strip().startswith('<div id="queue"') and _listed(polled) == [mine]


async def test_a_brand_scoped_person_sees_only_their_brand(
    api: httpx.AsyncClient, journal: CaseJournal
) -> None:
    theirs = await file_complaint(api, brand="delonghi-mx")
    not_theirs = await file_complaint(api, customer=_customer(1))
    await _until(journal, lambda j: j.has(theirs) and j.has(not_theirs), "both complaints")
    assert journal.queue(QueueQuery())[1] == 2

    scoped = bearer("agent", "maria", "María", brands=("delonghi-mx",))
    assert _listed(await api.get("/desk", headers=scoped)) == [theirs]
    everyone = bearer("agent", "priya", "Priya")
    assert set(_listed(await api.get("/desk", headers=everyone))) == {theirs, not_theirs}

    # another brand's complaint is no more theirs by its id than in the queue
    page = await api.get(f"/desk/complaints/{theirs}", headers=scoped)
    assert page.status_code == 200
    refused = await api.get(f"/desk/complaints/{not_theirs}", headers=scoped)
    assert refused.status_code == 404
    taken = await api.post(
        f"/desk/complaints/{not_theirs}/take", data={"csrf_token": csrf_of(page)}, headers=scoped
    )
    assert taken.status_code == 404
    assert _assignee(journal, not_theirs) is None


async def test_the_case_page_shows_the_acknowledgement_as_sent(
    env: WorkflowEnvironment,
    api: httpx.AsyncClient,
    sign_in: SignIn,
    journal: CaseJournal,
    mailbox: Mailbox,
    task_queue: str,
    opened_workflows: set[str],
) -> None:
    complaint_id = await file_complaint(api)
    await _until(
        journal,
        lambda j: (
            (case := j.case(complaint_id)) is not None
            and any(m.kind == "acknowledgement" for m in case.messages)
        ),
        "the acknowledgement",
    )
    emailed = mailbox.to("lucia@example.mx")[-1]
    body = emailed.get_body(("plain",))
    assert body is not None
    text = body.get_content().strip()

    desk = await sign_in()
    page = await desk.get(f"/desk/complaints/{complaint_id}")
    shown = _text(page)
    assert "acknowledgement to the customer email" in shown
    assert emailed["Subject"] in shown
    sent = [" ".join(html.unescape(pre).split()) for pre in PRE.findall(page.text)]
    assert " ".join(text.split()) in sent

    # an app whose journal has not had the complaint yet: no error, a word on when
    settings = ApiSettings(task_queue=task_queue)
    staff = bearer("agent", "priya", "Priya")
    empty = CaseJournal(IN_MEMORY)
    async with serve_api(env, settings, opened_workflows, headers=staff, journal=empty) as other:
        page = await other.get(f"/desk/complaints/{complaint_id}")
    assert page.status_code == 200
    assert "Messages appear once the case journal has this complaint." in _text(page)
