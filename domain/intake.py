"""What a customer (or the person recording for them) files: the registration form of seed 004."""

from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_extra_types.phone_numbers import PhoneNumberValidator

from domain.cases import EXAMPLE_CASE_FLAG, CaseFlag
from domain.schema_examples import enum_examples

PhoneNumber = Annotated[str, PhoneNumberValidator(number_format="E164")]
CountryCode = Annotated[
    str,
    BeforeValidator(lambda value: value.strip().upper() if isinstance(value, str) else value),
    StringConstraints(pattern=r"^[A-Z]{2}$"),
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]

EXAMPLE_CUSTOMER: JsonDict = {
    "name": "Asha Verma",
    "email": "asha@example.in",
    "phone": "+919812345678",
    "address": "12 MG Road, Bengaluru",
    "company": None,
}
EXAMPLE_INTAKE: JsonDict = {
    "customer": EXAMPLE_CUSTOMER,
    "country": "IN",
    "product": "Redmi Note 10 Pro",
    "channel": "app",
    "reason": "Phone dead after update",
    "description": "The phone stopped booting after the last system update.",
    "recorded_by": {"role": "customer", "name": "Asha Verma"},
    "brand": "xiaomi-in",
    "case": None,
}
EXAMPLE_INTAKE_WITH_CASE: JsonDict = {
    "customer": {
        "name": "Lucía Hernández",
        "email": "lucia@example.mx",
        "phone": "+525512345678",
        "address": "Av. Reforma 1, CDMX",
    },
    "country": "MX",
    "product": "Dedica EC685",
    "channel": "phone",
    "reason": "No diagnosis from service centre",
    "description": "The service centre has had my machine for three weeks without a diagnosis.",
    "recorded_by": {"role": "agent", "name": "Priya"},
    "brand": "delonghi-mx",
    "case": EXAMPLE_CASE_FLAG,
}


@enum_examples("app", "phone")
class Channel(StrEnum):
    """How the complaint reached us."""

    APP = "app"
    WEBSITE = "website"
    PHONE = "phone"
    EMAIL = "email"
    FORM = "form"
    CHAT = "chat"
    IN_PERSON = "in_person"


@enum_examples("receptionist")
class RecorderRole(StrEnum):
    """Who wrote the complaint down (seed 004: clerk, receptionist, salesperson)."""

    CUSTOMER = "customer"
    AGENT = "agent"
    OFFICE_CLERK = "office_clerk"
    RECEPTIONIST = "receptionist"
    SALESPERSON = "salesperson"


class Recorder(BaseModel):
    """The person who recorded the complaint; the customer themself for self-service channels."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={"examples": [{"role": "receptionist", "name": "Carmen"}]},
    )

    role: RecorderRole = RecorderRole.CUSTOMER
    name: ShortText | None = None


class Customer(BaseModel):
    """The complaining customer; at least one way to reach them is required."""

    model_config = ConfigDict(frozen=True, json_schema_extra={"examples": [EXAMPLE_CUSTOMER]})

    name: ShortText
    email: EmailStr | None = None
    phone: PhoneNumber | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    company: ShortText | None = Field(
        default=None, description="The company complaining, if the customer speaks for one"
    )

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if self.email is None and self.phone is None:
            raise ValueError("give an email or a phone number so we can reach the customer")
        return self


class ComplaintIntake(BaseModel):
    """A complaint as filed."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={"examples": [EXAMPLE_INTAKE, EXAMPLE_INTAKE_WITH_CASE]},
    )

    customer: Customer
    country: CountryCode = Field(description="ISO 3166-1 alpha-2 code, e.g. IN or MX")
    product: ShortText = Field(description="Product name, model or serial number")
    channel: Channel
    reason: ShortText = Field(description="Short category of the complaint")
    description: LongText
    recorded_by: Recorder = Recorder()
    brand: ShortText | None = Field(
        default=None, description="Whose policy applies, e.g. xiaomi-in; none for the default"
    )
    case: CaseFlag | None = Field(
        default=None,
        description="A case type of the brand's playbooks, when known at filing (a legal threat, "
        "an injury): its playbook starts with the complaint",
    )
