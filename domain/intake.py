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
from pydantic_extra_types.phone_numbers import PhoneNumberValidator

from domain.cases import CaseFlag

PhoneNumber = Annotated[str, PhoneNumberValidator(number_format="E164")]
CountryCode = Annotated[
    str,
    BeforeValidator(lambda value: value.strip().upper() if isinstance(value, str) else value),
    StringConstraints(pattern=r"^[A-Z]{2}$"),
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class Channel(StrEnum):
    """How the complaint reached us."""

    APP = "app"
    WEBSITE = "website"
    PHONE = "phone"
    EMAIL = "email"
    FORM = "form"
    CHAT = "chat"
    IN_PERSON = "in_person"


class RecorderRole(StrEnum):
    """Who wrote the complaint down (seed 004: clerk, receptionist, salesperson)."""

    CUSTOMER = "customer"
    AGENT = "agent"
    OFFICE_CLERK = "office_clerk"
    RECEPTIONIST = "receptionist"
    SALESPERSON = "salesperson"


class Recorder(BaseModel):
    """The person who recorded the complaint; the customer themself for self-service channels."""

    model_config = ConfigDict(frozen=True)

    role: RecorderRole = RecorderRole.CUSTOMER
    name: ShortText | None = None


class Customer(BaseModel):
    """The complaining customer; at least one way to reach them is required."""

    model_config = ConfigDict(frozen=True)

    name: ShortText
    email: EmailStr | None = None
    phone: PhoneNumber | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if self.email is None and self.phone is None:
            raise ValueError("give an email or a phone number so we can reach the customer")
        return self


class ComplaintIntake(BaseModel):
    """A complaint as filed."""

    model_config = ConfigDict(frozen=True)

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
