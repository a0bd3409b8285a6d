"""Notification wording rendered from plain facts."""

from datetime import UTC, datetime

from domain.history import Notification, NotificationKind, Recipient
from domain.messages import MessageFacts, render

FACTS = MessageFacts(
    complaint_id="c1",
    customer_name="Lucía",
    product="Dedica",
    reason="No diagnosis",
    level_name="Supervisor",
)
CUSTOMER = Recipient(role="customer", name="Lucía", email="lucia@example.mx")
DEADLINE = datetime(2026, 11, 19, 16, 0, tzinfo=UTC)


def acknowledgement(promise: str | None) -> str:
    notification = Notification(
        step=1,
        kind=NotificationKind.ACKNOWLEDGEMENT,
        recipient=CUSTOMER,
        level=1,
        deadline=DEADLINE,
        promise=promise,
    )
    return render(notification, FACTS).body


def test_a_promised_range_is_told_as_a_range_with_its_latest_moment() -> None:
    assert (
        "will answer within 3-5 business days (by 2026-11-19 16:00 UTC at the latest)."
        in acknowledgement("3-5 business days")
    )


def test_a_plain_window_is_told_as_a_deadline() -> None:
    assert "will answer by 2026-11-19 16:00 UTC." in acknowledgement(None)
