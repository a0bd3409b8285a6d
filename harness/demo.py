"""Demo complaints for the Web UI: a few in each ready-made view, one in none.

Filed through the API, with a worker, on a dev server (`start_web_ui`). Two demo brands make
the views fill up in seconds: `demo-fast` breaches its three 1-second levels, `demo-due` gives
a first level of 2 hours. The API serves the desk from the worker's case journal too, and, given
a tracking key, the customers' tracking pages.
"""

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from activities.email import SmtpSettings
from activities.journal_store import IN_MEMORY, CaseJournal
from activities.tracking_links import TrackingSettings
from api.settings import ApiSettings
from api.ui_views import AT_SERVICE_CENTRE, BREACHED_AT_L3, DUE_SOON, PAUSED, View
from harness.api import serve_api
from harness.mailbox import Mailbox, free_port
from harness.samples import FORM, POLICY_DIR
from harness.waiting import eventually
from harness.web_ui import WebUi
from worker import build_worker
from workflows.ids import workflow_id

TERMS = """\
realert_interval: 1h
customer_decision_window: 1 day
reopen_window: 1 day
reason_categories: [Late repair, Parts unavailable, Billing or refund]
"""
POLICIES = {
    "demo-fast": """\
name: demo-fast
levels:
  - name: Desk
    owner_role: desk
    contacts: {email: desk@example.com}
    resolution_window: 1s
  - name: Supervisor
    owner_role: supervisor
    contacts: {email: supervisor@example.com}
    resolution_window: 1s
  - name: Director
    owner_role: director
    contacts: {email: director@example.com}
    resolution_window: 1s
"""
    + TERMS,
    "demo-due": """\
name: demo-due
levels:
  - name: Desk
    owner_role: desk
    contacts: {email: desk@example.com}
    resolution_window: 2h
"""
    + TERMS,
}
"""Brand key -> policy file, beside the shipped ones."""


def _form(name: str, email: str, phone: str, address: str, **changes: Any) -> dict[str, Any]:
    customer = {"name": name, "email": email, "phone": phone, "address": address}
    return {**FORM, "customer": customer, **changes}


NAMED = _form(
    "Marisol Quintanilla",
    "marisol.q@example.mx",
    "+52 55 8765 4321",
    "Calle Durango 214, Roma Norte, CDMX",
    brand="demo-fast",
    reason="Late repair",
    description="The repair was promised in ten days; it is week five and nobody calls back.",
)
"""The complaint the browser test opens: its customer's details must reach the page only
through the codec server."""
FILINGS: dict[str, dict[str, Any]] = {
    "marisol": NAMED,
    "arjun": _form(
        "Arjun Mehta",
        "arjun@example.in",
        "+91 98450 11223",
        "4 Residency Road, Bengaluru",
        brand="demo-fast",
        country="IN",
        product="Redmi Note 12",
        reason="Parts unavailable",
    ),
    "lucia": _form(
        "Lucía Hernández",
        "lucia@example.mx",
        "+52 55 1234 5678",
        "Av. Reforma 1, CDMX",
        brand="demo-fast",
        reason="Billing or refund",
    ),
    "diego": _form(
        "Diego Salas",
        "diego@example.mx",
        "+52 81 5555 0101",
        "Av. Constitución 300, Monterrey",
        brand="delonghi-mx",
        reason="No diagnosis from service centre",
        recorded_by={"role": "agent", "name": "Priya"},
        case={
            "case_type": "no_diagnosis",
            "fields": {"service_centre": "SAT Norte", "service_order": "SO-1042"},
        },
    ),
    "asha": _form(
        "Asha Verma",
        "asha@example.in",
        "+91 98123 45678",
        "12 MG Road, Bengaluru",
        country="IN",
        product="Redmi Note 10 Pro",
        reason="Phone dead after update",
    ),
    "ravi": _form(
        "Ravi Iyer",
        "ravi@example.in",
        "+91 98860 77889",
        "7 Anna Salai, Chennai",
        brand="demo-due",
        country="IN",
        product="Redmi 13C",
        reason="Late repair",
    ),
    "meera": _form(
        "Meera Nair",
        "meera@example.in",
        "+91 99001 23456",
        "22 Marine Drive, Kochi",
        country="IN",
        product="Redmi Pad",
        reason="Battery or charging",
    ),
}
"""Each demo complaint by its customer's first name."""
IN_VIEW: dict[View, tuple[str, ...]] = {
    BREACHED_AT_L3: ("marisol", "arjun", "lucia"),
    DUE_SOON: ("ravi",),
    PAUSED: ("asha",),
    AT_SERVICE_CENTRE: ("diego",),
}
"""The demo complaints each ready-made view finds; Meera's is in none."""


class DemoNotFiled(RuntimeError):
    """The API refused a demo complaint or action: the message has its answer."""


@dataclass(frozen=True)
class Demo:
    ids: dict[str, str]
    """Complaint id by the customer's first name (`FILINGS`)."""
    api_url: str = ""
    """Where the API (and the desk, and the tracking pages) is served."""
    journal: CaseJournal = field(default_factory=lambda: CaseJournal(IN_MEMORY))
    """The case journal the worker writes and the desk reads."""
    mailbox: Mailbox | None = None
    """The SMTP sink of the demo's messages (acknowledgements with their tracking links)."""

    def workflow_id(self, name: str) -> str:
        return workflow_id(self.ids[name])


@asynccontextmanager
async def run_demo(ui: WebUi, tracking: TrackingSettings | None = None) -> AsyncIterator[Demo]:
    """A worker and the API on the UI's dev server, and the demo complaints filed through it;
    yields once the breaching ones are breached at L3. With `tracking`, acknowledgements carry
    tracking links and the API serves their pages."""
    mailbox = Mailbox(port=free_port())
    mailbox.start()
    smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, timeout_seconds=5)
    task_queue = f"demo-{uuid.uuid4()}"
    journal = CaseJournal(IN_MEMORY)
    try:
        with tempfile.TemporaryDirectory(prefix="demo-policy-") as directory:
            settings = ApiSettings(task_queue=task_queue, escalation_policy=_policies(directory))
            async with (
                build_worker(ui.env.client, smtp, task_queue, journal=journal, tracking=tracking),
                serve_api(ui.env, settings, set(), journal=journal, tracking=tracking) as api,
            ):
                ids = await _file(ui, api)
                yield Demo(ids, str(api.base_url).rstrip("/"), journal, mailbox)
    finally:
        mailbox.stop()


def _policies(directory: str) -> Path:
    policies = Path(directory)
    for shipped in POLICY_DIR.glob("*.yaml"):
        shutil.copy(shipped, policies)
    for brand, text in POLICIES.items():
        (policies / f"{brand}.yaml").write_text(text, encoding="utf-8")
    return policies


async def _file(ui: WebUi, api: httpx.AsyncClient) -> dict[str, str]:
    ids: dict[str, str] = {}
    for name, form in FILINGS.items():
        filed = await api.post("/complaints", json=form)
        if filed.status_code != 201:
            raise DemoNotFiled(f"filing {name}'s complaint: {filed.status_code} {filed.text}")
        ids[name] = filed.json()["id"]
    for name in IN_VIEW[PAUSED]:
        body = {"reason": "Asked for the invoice."}
        paused = await api.post(f"/complaints/{ids[name]}/pause", json=body)
        if paused.status_code != 200:
            raise DemoNotFiled(f"pausing {name}'s complaint: {paused.status_code} {paused.text}")

    async def all_breached() -> bool:
        query = BREACHED_AT_L3.at(datetime.now(UTC))
        return (await ui.env.client.count_workflows(query)).count == len(IN_VIEW[BREACHED_AT_L3])

    await eventually(all_breached, within=60)
    return ids
