"""docs/notifications.md lists every message the engine can send, rendered from the templates.

Below its marker the file is generated: who gets each kind and when (the kind's docstring in
domain/messages.py), its channels, its languages and one rendered example. This test fails when
that part is stale; regenerate it with
`UPDATE_DOCS=1 .venv/bin/pytest tests/docs/test_notification_docs.py` (which still fails, once, to
say the file changed: commit the new file).
"""

import ast
import os
from datetime import UTC, datetime
from pathlib import Path

from domain import messages
from domain.cases import EscalationRecord
from domain.delivery import channels_for
from domain.messages import (
    DeliveryChannel,
    MessageFacts,
    Notification,
    NotificationKind,
    Recipient,
)
from domain.templates import SAMPLE_FACTS
from tests.domain.test_templates import TEMPLATES

DOC = Path(__file__).resolve().parents[2] / "docs" / "notifications.md"
MARKER = "<!-- generated: notification catalogue -->\n"
RECIPIENTS = {
    NotificationKind.ASSIGNED: ("grievance_desk", "Grievance Desk"),
    NotificationKind.SLA_WARNING: ("grievance_desk", "Grievance Desk"),
    NotificationKind.BREACH_ALERT: ("office_of_the_president", "Office of the President"),
    NotificationKind.REPEAT_CONTACT: ("team_leader", "team leader"),
    NotificationKind.SUPERVISOR_REQUESTED: ("supervisor", "supervisor"),
    NotificationKind.HOLD_REMINDER: ("agent", "agent"),
    NotificationKind.SUPERVISOR_MISSED: ("supervisor", "supervisor"),
    NotificationKind.APPROVAL_REQUESTED: ("team_leader", "team leader"),
    NotificationKind.REPLY_REFUSED: ("complaint_specialists", "complaint specialists"),
    NotificationKind.ACCOUNTABILITY: ("accountability", "accountability"),
    NotificationKind.CASE_REQUEST: ("service_centre", "SAT Norte"),
    NotificationKind.CASE_ESCALATION: ("supervisor", "supervisor"),
    NotificationKind.CASE_TASK: ("agent", "agent"),
    NotificationKind.STATUS_UPDATE: ("third_level_manager", "third level manager"),
    NotificationKind.DELIVERY_FAILED: ("grievance_desk", "Grievance Desk"),
}
FACTS = SAMPLE_FACTS.model_copy(update={"complaint_id": "3f9c2a7be41d0c55", "brand": "Xiaomi"})
RECORD = EscalationRecord(
    ticket="3f9c2a7be41d0c55",
    case_type="no_diagnosis",
    case_title="Service centre gave no diagnosis",
    customer_name="Asha Verma",
    customer_email="asha@example.in",
    customer_phone="+919812345678",
    product="Redmi Note 10 Pro",
    description="No diagnosis two weeks after drop-off.",
    fields={"service_centre": "SAT Norte", "service_order": "SO-1182"},
    escalated_to="supervisor",
    why="the centre did not answer",
    at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
)


def when_sent() -> dict[NotificationKind, str]:
    """Each kind's docstring in domain/messages.py: to whom, and when."""
    tree = ast.parse(Path(messages.__file__).read_text(encoding="utf-8"))
    enum = next(
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == NotificationKind.__name__
    )
    described: dict[NotificationKind, str] = {}
    for statement, following in zip(enum.body, enum.body[1:], strict=False):
        if isinstance(statement, ast.Assign) and isinstance(following, ast.Expr):
            value = ast.literal_eval(statement.value)
            described[NotificationKind(value)] = str(ast.literal_eval(following.value))
    return described


def example(kind: NotificationKind) -> Notification:
    role, name = RECIPIENTS.get(kind, ("customer", "Asha Verma"))
    return Notification(
        step=4,
        kind=kind,
        recipient=Recipient(role=role, name=name, email="x@example.com", phone="+919800000103"),
        level=1,
        deadline=datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
        reason={
            NotificationKind.STATUS_UPDATE: "note added: called the customer back",
            NotificationKind.DELIVERY_FAILED: "acknowledgement to Asha Verma could not be "
            "delivered",
        }.get(kind, "the centre did not answer within 72 hours"),
        resolution="A replacement unit, shipped within 5 business days.",
        promise="3-5 business days",
        case="no_diagnosis",
        text={
            NotificationKind.RETAILER_CONTACTS: "Amazon customer service (amazon.in/contact-us)",
            NotificationKind.DELIVERY_FAILED: "email: the mail server refused asha@example.in",
        }.get(kind, "Ask the service centre for the diagnosis"),
        record=RECORD
        if kind in (NotificationKind.CASE_REQUEST, NotificationKind.CASE_ESCALATION)
        else None,
        channels=channels_for(kind, role),
    )


def example_of(kind: NotificationKind) -> tuple[Notification, MessageFacts]:
    """The example and its facts: an escalation to the customer comes from level 2."""
    notification = example(kind)
    if kind is not NotificationKind.ESCALATED:
        return notification, FACTS
    up = FACTS.levels_above[0]
    facts = FACTS.model_copy(
        update={
            "level_name": up.name,
            "owner_role": up.owner_role,
            "levels_above": FACTS.levels_above[1:],
        }
    )
    return notification.model_copy(update={"level": up.level, "promise": up.window}), facts


def catalogue() -> str:
    described = when_sent()
    parts = [
        "| message | to whom, when | channels | languages |",
        "|---|---|---|---|",
    ]
    languages = ", ".join(sorted(TEMPLATES.locales))
    for kind in NotificationKind:
        channels = " + ".join(example(kind).channels)
        parts.append(f"| `{kind}` | {described[kind]} | {channels} | {languages} |")
    parts.append("")
    for kind in NotificationKind:
        notification, facts = example_of(kind)
        brand, locale, zone = "xiaomi-in", "en-IN", "Asia/Kolkata"
        # the seed's own template, and the seed's words to the customer, as De'Longhi sends them
        if kind in (NotificationKind.INJURY_CLAIM, NotificationKind.CASE_PROMISE):
            brand, locale, zone = "delonghi-mx", "es-MX", "America/Mexico_City"
        if brand == "delonghi-mx":
            facts = facts.model_copy(update={"brand": "De'Longhi"})
        rendered = TEMPLATES.render(brand, locale, notification, facts, zone)
        parts.append(f"### `{kind}`\n\n{described[kind]} Template `{rendered.template}`.\n")
        parts.append(f"```text\nSubject: {rendered.subject}\n\n{rendered.body.rstrip()}\n```\n")
        if DeliveryChannel.SMS in notification.channels or kind is NotificationKind.ACKNOWLEDGEMENT:
            parts.append(f"Text message: `{rendered.sms}`\n")
    return "\n".join(parts)


def test_the_notification_catalogue_in_the_docs_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert MARKER in text, f"{DOC} lost its marker line"
    head = text.split(MARKER)[0]
    expected = head + MARKER + "\n" + catalogue()
    if os.environ.get("UPDATE_DOCS"):
        DOC.write_text(expected, encoding="utf-8")
    assert text == expected, "docs/notifications.md is stale: run with UPDATE_DOCS=1"


def test_every_message_kind_is_described() -> None:
    assert set(when_sent()) == set(NotificationKind)
