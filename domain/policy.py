"""The escalation matrix as data: levels, owners, windows and the timings around them."""

from datetime import timedelta
from typing import Self

from pydantic import BaseModel, ConfigDict, EmailStr, Field, PositiveInt, model_validator


class Level(BaseModel):
    """One rung of the escalation ladder."""

    model_config = ConfigDict(frozen=True)

    number: PositiveInt
    name: str = Field(min_length=1)
    owner_role: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    contact_email: EmailStr
    resolution_window: timedelta = Field(gt=timedelta(0))

    @property
    def code(self) -> str:
        """Short name used in timelines and search: L1, L2, ..."""
        return f"L{self.number}"


class EscalationPolicy(BaseModel):
    """How a complaint climbs: its levels and the timings that are not tied to one level."""

    model_config = ConfigDict(frozen=True)

    name: str = "default"
    levels: tuple[Level, ...] = Field(min_length=1)
    realert_interval: timedelta = Field(
        gt=timedelta(0), description="How often the last level is alerted again after its breach"
    )
    customer_decision_window: timedelta = Field(
        gt=timedelta(0),
        description="How long a proposed resolution waits for the customer before it stands",
    )
    reopen_window: timedelta = Field(
        gt=timedelta(0), description="How long a resolved complaint can still be reopened"
    )

    @model_validator(mode="after")
    def _numbered_from_one(self) -> Self:
        numbers = [level.number for level in self.levels]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"levels must be numbered 1, 2, 3, ... in order; got {numbers}")
        return self

    def level(self, number: int) -> Level:
        """The level with this number (1-based)."""
        return self.levels[number - 1]

    @property
    def top(self) -> int:
        """Number of the last level, where breaches re-alert instead of escalating."""
        return len(self.levels)


SEED_MATRIX = EscalationPolicy(
    name="seed-matrix",
    levels=(
        Level(
            number=1,
            name="Grievance Desk",
            owner_role="grievance_desk",
            contact_email="grievance-desk@example.com",
            resolution_window=timedelta(hours=48),
        ),
        Level(
            number=2,
            name="Head of Customer Service",
            owner_role="head_of_customer_service",
            contact_email="head-of-customer-service@example.com",
            resolution_window=timedelta(hours=24),
        ),
        Level(
            number=3,
            name="Office of the President",
            owner_role="office_of_the_president",
            contact_email="office-of-the-president@example.com",
            resolution_window=timedelta(hours=12),
        ),
    ),
    realert_interval=timedelta(hours=4),
    customer_decision_window=timedelta(days=14),
    reopen_window=timedelta(days=7),
)
"""The Xiaomi India matrix of seeds 000-002: 48 h, then 24 h, then 12 h, elapsed time."""
