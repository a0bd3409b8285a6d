"""Case-type playbooks as policy data: what happens on each event of a case (seed 003).

A playbook reacts to events. The engine raises `opened`, `answered`, `answered:<outcome>`,
`silent` (the asked party let its deadline pass), `promise_missed`, `rejected` (the customer turned
down a resolution while the case runs) and the playbook's own `scheduled` events; people raise the
playbook's declared `events` (`claim`, `retailer_refused`, ...). Each event runs a list of actions.
"""

from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from domain.durations import Duration
from domain.schema_examples import enum_examples

RoleName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
EventName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)?$")]
FieldName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


@enum_examples("complaint_specialists")
class HandlingTier(StrEnum):
    """Who handles a complaint, by how often the customer contacted us about it (seed 004)."""

    FRONTLINE = "frontline"
    SPECIALISTS = "complaint_specialists"
    TEAM_LEADER = "team_leader"
    THIRD_LEVEL = "third_level_manager"

    @property
    def role(self) -> str:
        """The policy role that handles complaints at this tier (its contacts get the messages)."""
        return _TIER_ROLES[self]

    @property
    def rank(self) -> int:
        """0 for the frontline, up to 3 for the third-level manager."""
        return list(HandlingTier).index(self)


_TIER_ROLES = {
    HandlingTier.FRONTLINE: "frontline",
    HandlingTier.SPECIALISTS: "complaint_specialists",
    HandlingTier.TEAM_LEADER: "team_leader",
    HandlingTier.THIRD_LEVEL: "third_level_manager",
}


class CaseEvent(StrEnum):
    """Events the engine raises itself."""

    OPENED = "opened"
    ANSWERED = "answered"
    SILENT = "silent"
    PROMISE_MISSED = "promise_missed"
    REJECTED = "rejected"


class CustomerMessage(StrEnum):
    """Messages a playbook can send the customer besides its promise."""

    INJURY_CLAIM = "injury_claim"
    """Seed 003's template: sorry, do not discard the product, contact within 3-5 business days."""
    NOT_COVERED = "not_covered"
    """The damage is not covered by the warranty, with the service centre's explanation."""
    RETAILER_CONTACTS = "retailer_contacts"
    """Where to turn at the authorised retailer (never its internal process)."""


class CaseRequest(StrEnum):
    """What an `ask` action's message asks the role for."""

    ANSWER = "case_request"
    """The case's status or diagnosis, with its escalation record."""
    RETURN_LETTER = "return_letter_request"
    """A return letter for the customer (seed 003: an Amazon return past 25 days)."""


class FollowUp(BaseModel):
    """A reminder the engine schedules instead of someone remembering it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    after: Duration
    every: Duration | None = Field(default=None, description="Repeat until the case is done")
    notify: RoleName
    text: str = Field(min_length=1)


class Scheduled(BaseModel):
    """Raise `event` a while from now, or from a date field given by `since`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event: EventName
    after: Duration


class Task(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    notify: RoleName
    text: str = Field(min_length=1)


class CaseAction(BaseModel):
    """One thing the engine does; exactly one of the action keys is set, `when` narrows it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ask: RoleName | None = Field(
        default=None, description="Email this role (or its directory entry) asking for an answer"
    )
    within: Duration | None = Field(default=None, description="With `ask`: else `silent`")
    request: CaseRequest = Field(
        default=CaseRequest.ANSWER, description="With `ask`: what its message asks for"
    )
    promise: Duration | None = Field(
        default=None, description="Tell the customer; breach at its upper bound: `promise_missed`"
    )
    tell: bool = Field(
        default=True,
        description="With `promise`: send the customer the promise (off when another message does)",
    )
    escalate: RoleName | None = Field(
        default=None, description="Send this role the case's escalation record"
    )
    follow_up: FollowUp | None = None
    tell_customer: CustomerMessage | None = None
    task: Task | None = Field(default=None, description="Tell a role what to do now")
    handling: HandlingTier | None = Field(
        default=None, description="Hand the complaint to this tier at once"
    )
    schedule: Scheduled | None = None
    since: FieldName | None = Field(
        default=None,
        description="With `promise` or `schedule`: count from this date field (YYYY-MM-DD)",
    )
    done: bool = Field(default=False, description="The case is settled: its clocks stop")
    when: dict[FieldName, str] = Field(
        default_factory=dict, description="Only if the case's fields have these values"
    )

    @model_validator(mode="after")
    def _one_action(self) -> Self:
        keys = ("ask", "promise", "escalate", "follow_up", "tell_customer", "task")
        chosen = [key for key in (*keys, "handling", "schedule") if getattr(self, key)]
        chosen += ["done"] if self.done else []
        if len(chosen) != 1:
            raise ValueError(
                "an action does exactly one of: ask, promise, escalate, follow_up, "
                f"tell_customer, task, handling, schedule, done; got {chosen or 'none'}"
            )
        if self.within is not None and self.ask is None:
            raise ValueError("`within` belongs to an `ask` action")
        if self.request is not CaseRequest.ANSWER and self.ask is None:
            raise ValueError("`request` belongs to an `ask` action")
        if not self.tell and self.promise is None:
            raise ValueError("`tell` belongs to a `promise` action")
        if self.since is not None and self.promise is None and self.schedule is None:
            raise ValueError("`since` belongs to a `promise` or `schedule` action")
        return self

    def applies_to(self, fields: dict[str, str]) -> bool:
        """Whether the case's fields meet `when` (case-insensitive)."""
        return all(
            fields.get(name, "").strip().casefold() == value.strip().casefold()
            for name, value in self.when.items()
        )


class Playbook(BaseModel):
    """What agents and the engine do for one case type."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1)
    first_action: str = Field(min_length=1, description="What the agent does first, in words")
    fields: dict[FieldName, str] = Field(
        default_factory=dict,
        description="Facts the case is flagged with (name: what it is); all required",
    )
    events: dict[EventName, str] = Field(
        default_factory=dict, description="Events people record on the case (name: meaning)"
    )
    outcomes: tuple[FieldName, ...] = Field(
        default=(), description="What an answer can say; `answered:<outcome>` runs too"
    )
    on_event: dict[EventName, tuple[CaseAction, ...]] = Field(
        default_factory=dict, description="What each event does, in order"
    )

    @model_validator(mode="before")
    @classmethod
    def _actions_as_lists(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("on_event"), dict):
            on_event = {
                event: [actions] if isinstance(actions, dict) else actions
                for event, actions in data["on_event"].items()
            }
            data = {**data, "on_event": on_event}
        return data

    @model_validator(mode="after")
    def _known_events(self) -> Self:
        known = self.raised_events
        for event, actions in self.on_event.items():
            if event not in known:
                raise ValueError(
                    f"`on_event.{event}`: not an event of this playbook; known: {sorted(known)}"
                )
            for action in actions:
                unknown = set(action.when) - set(self.fields)
                if unknown:
                    raise ValueError(
                        f"`on_event.{event}`: `when` names unknown fields {sorted(unknown)}"
                    )
                if action.since is not None and action.since not in self.fields:
                    raise ValueError(
                        f"`on_event.{event}`: `since` names unknown field {action.since!r}"
                    )
        return self

    @property
    def raised_events(self) -> set[str]:
        """Every event this playbook can react to."""
        scheduled = {
            action.schedule.event
            for actions in self.on_event.values()
            for action in actions
            if action.schedule
        }
        answers = {f"{CaseEvent.ANSWERED}:{outcome}" for outcome in self.outcomes}
        return {*CaseEvent, *self.events, *answers, *scheduled}

    @property
    def roles(self) -> set[str]:
        """Every role this playbook sends something to."""
        return {
            role
            for actions in self.on_event.values()
            for action in actions
            for role in (
                action.ask,
                action.escalate,
                action.follow_up.notify if action.follow_up else None,
                action.task.notify if action.task else None,
            )
            if role is not None
        }

    @property
    def durations(self) -> list[Duration]:
        """Every timing of this playbook."""
        found: list[Duration] = []
        for actions in self.on_event.values():
            for action in actions:
                found += [d for d in (action.within, action.promise) if d is not None]
                if action.follow_up:
                    found += [action.follow_up.after, *filter(None, [action.follow_up.every])]
                if action.schedule:
                    found.append(action.schedule.after)
        return found

    @property
    def date_fields(self) -> set[str]:
        """Fields that must be dates: those a timing counts from."""
        return {
            action.since
            for actions in self.on_event.values()
            for action in actions
            if action.since is not None
        }

    def actions_for(self, event: str, fields: dict[str, str]) -> list[CaseAction]:
        """The actions `event` runs for a case with these fields, in policy order."""
        return [action for action in self.on_event.get(event, ()) if action.applies_to(fields)]
