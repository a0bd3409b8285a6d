"""The third level's assessment (seed 004) and the accountability record it may open."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

EXAMPLE_ASSESSMENT: JsonDict = {
    "company_responsible": True,
    "first_handling_appropriate": False,
    "appeal_reasonable": True,
    "notes": "The centre kept the unit 40 days without a diagnosis.",
}


class Assessment(BaseModel):
    """The third level's three questions (seed 004)."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={"examples": [EXAMPLE_ASSESSMENT]},
    )

    company_responsible: bool
    first_handling_appropriate: bool
    appeal_reasonable: bool
    notes: str | None = Field(default=None, max_length=5000)


class AccountabilityRecord(BaseModel):
    """Opened when the third level finds the company responsible: who handled it, and how."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "opened_at": "2026-12-09T18:30:00Z",
                    "assessed_by": "Rosa Méndez",
                    "handlers": ["Ana", "Priya"],
                    "first_handling_appropriate": False,
                    "notes": "The centre kept the unit 40 days without a diagnosis.",
                }
            ]
        },
    )

    opened_at: datetime
    assessed_by: str
    handlers: list[str] = Field(description="Everyone who acted on the complaint before")
    first_handling_appropriate: bool
    notes: str | None = None
