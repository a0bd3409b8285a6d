"""The API's own answers besides a complaint's view: a pending filing, a refusal.

The actions' request bodies are the commands' (`domain.commands`); who acts is never in a body:
it is the authenticated caller (`api.auth`).
"""

from pydantic import BaseModel, ConfigDict


class IntakePending(BaseModel):
    """The complaint is filed and durable, but its workflow has not confirmed the deadline yet."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f9c2a7be41d0c55",
                    "detail": "filed; GET /complaints/3f9c2a7be41d0c55 shows its deadline once "
                    "confirmed (a repeat about the same product joins the customer's open "
                    "complaint instead)",
                }
            ]
        }
    )

    id: str
    detail: str


class ErrorDetail(BaseModel):
    """Why a request was refused, in words a person can act on."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"detail": "cannot accept: no resolution is awaiting the customer's decision"}
            ]
        }
    )

    detail: str
