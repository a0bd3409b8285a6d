"""Registering a complaint at the desk: seed 004's registration form (who complains, how to reach
them, the product, the reason, the description, who recorded it), filed as `POST /complaints`."""

from typing import Any

from api.desk.session import DeskUser
from domain.intake import Channel, ComplaintIntake, RecorderRole
from domain.messages import DEFAULT_BRAND
from domain.policy_files import PolicySet

REGISTER_FIELDS = (
    "customer.name",
    "customer.company",
    "customer.address",
    "customer.phone",
    "customer.email",
    "country",
    "brand",
    "product",
    "channel",
    "reason",
    "description",
    "recorded_by.role",
    "recorded_by.name",
)
"""The form's inputs, named after the intake's fields (nested ones with a dot)."""
RECORDERS = [role for role in RecorderRole if role is not RecorderRole.CUSTOMER]
"""Who writes a complaint down at the desk (seed 004: clerk, receptionist, salesperson)."""


def intake_from(values: dict[str, str]) -> ComplaintIntake:
    """The intake the form describes; pydantic's ValidationError names the fields at fault."""
    data: dict[str, Any] = {}
    for name in REGISTER_FIELDS:
        value = values.get(name, "").strip()
        if not value:
            continue  # the field's default, or "Field required"
        where, _, inner = name.partition(".")
        if inner:
            data.setdefault(where, {})[inner] = value
        else:
            data[where] = value
    data.setdefault("customer", {})
    return ComplaintIntake.model_validate(data)


def register_context(
    policies: PolicySet,
    user: DeskUser,
    values: dict[str, str],
    errors: dict[str, str],
    idempotency_key: str,
) -> dict[str, Any]:
    """The register page: the form's values (the recorder filled in from the signed-in person)."""
    shown = {
        "channel": Channel.PHONE.value,
        "recorded_by.role": RecorderRole.AGENT.value,
        "recorded_by.name": user.name,
        **{name: value for name, value in values.items() if value},
    }
    brands = [
        (
            "" if key == DEFAULT_BRAND else key,
            policies.policies[key].brand_name or f"no brand ({policies.policies[key].name})",
        )
        for key in policies.brands
    ]
    countries = sorted(
        {country for policy in policies.policies.values() for country in policy.calendars}
    )
    reasons = sorted(
        {reason for policy in policies.policies.values() for reason in policy.reason_categories}
    )
    return {
        "title": "Register a complaint",
        "values": shown,
        "errors": errors,
        "brands": brands,
        "countries": countries,
        "reasons": reasons,
        "channels": [(channel.value, _words(channel)) for channel in Channel],
        "recorders": [(role.value, _words(role)) for role in RECORDERS],
        "idempotency_key": idempotency_key,
    }


def _words(value: str) -> str:
    return value.replace("_", " ")
