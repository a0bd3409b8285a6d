"""Sample complaints, an API intake form and the shipped default policy."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from activities.models import Delivery
from domain.history import Actor, ActorRole
from domain.intake import Channel, ComplaintIntake, Customer
from domain.messages import (
    UNNAMED_BRAND,
    DeliveryChannel,
    Notification,
    NotificationKind,
    Recipient,
)
from domain.policy import EscalationPolicy
from domain.policy_files import load_policy_file
from domain.templates import SAMPLE_FACTS

POLICY_DIR = Path(__file__).resolve().parent.parent / "policy"
SEED_MATRIX = load_policy_file(POLICY_DIR / "default.yaml")
"""The seeds' matrix as shipped: 48 h, 24 h, 12 h elapsed."""
CUSTOMER_EMAIL = "asha@example.in"


def sample_intake(
    email: str | None = CUSTOMER_EMAIL, phone: str | None = "+919812345678"
) -> ComplaintIntake:
    return ComplaintIntake(
        customer=Customer(
            name="Asha Verma", email=email, phone=phone, address="12 MG Road, Bengaluru"
        ),
        country="IN",
        product="Redmi Note 10 Pro",
        channel=Channel.APP,
        reason="Phone dead after update",
        description="The phone stopped booting after the last system update.",
    )


FORM: dict[str, Any] = {
    "customer": {
        "name": "Lucía Hernández",
        "email": "lucia@example.mx",
        "phone": "+52 55 1234 5678",
        "address": "Av. Reforma 1, CDMX",
    },
    "country": "mx",
    "product": "Dedica EC685",
    "channel": "phone",
    "reason": "No diagnosis from service centre",
    "description": "The service centre has had my machine for three weeks without a diagnosis.",
    "recorded_by": {"role": "receptionist", "name": "Carmen"},
}
"""A complaint as the API takes it (`POST /complaints`): taken by phone, in Mexico."""


AGENT = Actor(role=ActorRole.AGENT, name="Priya")
CUSTOMER = Actor(role=ActorRole.CUSTOMER, name="Asha")


def with_policy(**changes: object) -> EscalationPolicy:
    """The seed matrix with some settings changed, validated like a policy file."""
    return EscalationPolicy.model_validate({**SEED_MATRIX.model_dump(), **changes})


def sample_delivery(key: str = "c1/1/acknowledgement/customer/email") -> Delivery:
    """The customer's acknowledgement by email, as the workflow hands it to the activity."""
    return Delivery(
        idempotency_key=key,
        channel=DeliveryChannel.EMAIL,
        address=CUSTOMER_EMAIL,
        notification=Notification(
            step=1,
            kind=NotificationKind.ACKNOWLEDGEMENT,
            recipient=Recipient(role="customer", name="Asha Verma", email=CUSTOMER_EMAIL),
            level=1,
            deadline=datetime(2026, 12, 1, tzinfo=UTC),
        ),
        facts=SAMPLE_FACTS.model_copy(
            update={"complaint_id": "c1", "reason": "Phone dead", "brand": UNNAMED_BRAND}
        ),
        locale="en-IN",
        zone="Asia/Kolkata",
    )
