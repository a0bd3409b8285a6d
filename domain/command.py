"""What a person does to a complaint, defined once.

A command is the update's argument (who acts, and with what), and it knows who may send it, when
it fits the complaint's state and what it changes. The workflow's updates and validators, the
API's routes and their permissions, the simulator's verbs and the docs' role table are all made
from the registry in `domain.commands`: adding an action is one new command and its test.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic.config import JsonDict

from domain.cases import CaseNotValid
from domain.complaint import Complaint
from domain.history import Actor, ActorRole
from domain.status import ANY_STATUS, WHY_NOT, ActionNotAllowed, ComplaintStatus

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]

ANYONE = frozenset({ActorRole.CUSTOMER, ActorRole.AGENT, ActorRole.SUPERVISOR, ActorRole.ADMIN})
STAFF = frozenset({ActorRole.AGENT, ActorRole.SUPERVISOR, ActorRole.ADMIN})
SUPERVISORS = frozenset({ActorRole.SUPERVISOR, ActorRole.ADMIN})
CUSTOMER_OR_ADMIN = frozenset({ActorRole.CUSTOMER, ActorRole.ADMIN})

REFUSALS = (ActionNotAllowed, CaseNotValid)
"""What `Command.check` raises; the workflow turns them into update failures (409 and 422)."""


class RequestBody(BaseModel):
    """What a person sends for a command (the HTTP body); who sends it is never in it."""

    model_config = ConfigDict(extra="forbid")


def examples(*bodies: JsonDict) -> ConfigDict:
    """The config of a request body: its examples, shown in the API docs (and checked)."""
    return ConfigDict(json_schema_extra={"examples": list(bodies)})


class Command(BaseModel):
    """One thing a person does to a complaint: `check` it, then `apply` it.

    Subclasses say, as class attributes, who may send it (`roles`; a route may narrow them), in
    which states it fits (`allowed_in`, with `why_not` overriding the usual reasons), how it is
    asked for over HTTP (`path`, the body being the first `RequestBody` base) and in the
    simulator (`verbs`).
    """

    # Update payloads ignore fields this worker does not know (a newer API during a rolling
    # deploy); the request bodies they are built on refuse them (422).
    model_config = ConfigDict(frozen=True, extra="ignore", json_schema_extra=None)

    by: Actor

    roles: ClassVar[frozenset[ActorRole]]
    allowed_in: ClassVar[frozenset[ComplaintStatus]] = ANY_STATUS
    why_not: ClassVar[Mapping[ComplaintStatus, str]] = {}
    label: ClassVar[str | None] = None
    """How refusals name the action ("cannot pause: ..."); the update name by default."""
    path: ClassVar[str | None] = None
    """POST /complaints/{complaint_id}/<path>; None: asked for through another command's route."""
    route_name: ClassVar[str | None] = None
    """The route's name (its OpenAPI operation); the update name by default."""
    tag: ClassVar[str] = "complaints"
    """The group its route is listed under in the API docs."""
    verbs: ClassVar[tuple[str, ...]] = ()
    """Simulator verbs (`complaints simulate --event '<time> <verb> <text>'`)."""
    simulated_by: ClassVar[ActorRole] = ActorRole.AGENT
    text_field: ClassVar[str | None] = None
    """The field a simulator event's text fills; `text_default` when the event has none."""
    text_default: ClassVar[str | None] = None
    signed_by_sub: ClassVar[bool] = False
    """Built with the caller's subject too (`from_request(..., by_sub=...)`): a command that
    tells people apart by who they are, not by the name the history shows."""

    @classmethod
    def update_name(cls) -> str:
        """The workflow update that carries this command: its class name in snake case."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    @classmethod
    def request_body(cls) -> type[BaseModel] | None:
        """The HTTP body: the command's `RequestBody` base, or None when it takes no body."""
        return next((base for base in cls.__mro__[1:] if _is_body(base)), None)

    @classmethod
    def from_request(cls, body: BaseModel | None, by: Actor, **path: str) -> Self:
        """The command a request asks for, signed by the caller."""
        fields = body.model_dump() if body is not None else {}
        return cls(by=by, **fields, **path)

    @classmethod
    def from_text(cls, verb: str, text: str | None, by: Actor) -> Self:
        """The command a simulator event (`<verb> <text>`) asks for.

        Not validated as a request is: the simulator takes what it is given to the domain's
        checks, whose refusals say what is wrong in the complaint's terms.
        """
        fields = {cls.text_field: text or cls.text_default} if cls.text_field else {}
        return cls.model_construct(None, by=by, **fields)

    def check(self, complaint: Complaint) -> None:
        """Raise ActionNotAllowed or CaseNotValid, with the reason, unless it fits now."""
        if complaint.status not in self.allowed_in:
            why = self.why_not.get(complaint.status, WHY_NOT[complaint.status])
            raise ActionNotAllowed(f"cannot {self.action}: {why}")

    def apply(self, complaint: Complaint, at: datetime) -> None:
        """Change the complaint; only called after `check` passed."""
        raise NotImplementedError

    def act(self, complaint: Complaint, at: datetime) -> None:
        """Check, then apply (the workflow's update does the same, a refusal failing the update)."""
        self.check(complaint)
        self.apply(complaint, at)

    @property
    def action(self) -> str:
        return self.label or self.update_name().replace("_", " ")


def _is_body(base: type) -> bool:
    """A request body of its own: not the base class, not a command built on one."""
    own_body = issubclass(base, RequestBody) and base is not RequestBody
    return own_body and not issubclass(base, Command)


@dataclass(frozen=True)
class Route:
    """How a command is asked for over HTTP: POST /complaints/{complaint_id}/<path>."""

    name: str
    path: str
    body: type[BaseModel] | None
    roles: frozenset[ActorRole]
    build: Callable[..., Command]
    """(body, by, **path parameters) -> the command; also `by_sub=` when `signed_by_sub`."""
    description: str
    updates: tuple[str, ...]
    """The workflow updates the route may send."""
    tag: str
    signed_by_sub: bool = False

    @classmethod
    def of(cls, command: type[Command]) -> Self:
        assert command.path is not None, command
        return cls(
            name=command.route_name or command.update_name(),
            path=command.path,
            body=command.request_body(),
            roles=command.roles,
            build=command.from_request,
            description=command.__doc__ or "",
            updates=(command.update_name(),),
            tag=command.tag,
            signed_by_sub=command.signed_by_sub,
        )

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\{(\w+)\}", self.path))


@dataclass(frozen=True)
class Verb:
    """A simulator verb: who does it and the command it makes from the event's text."""

    name: str
    command: type[Command]

    def command_for(self, text: str | None, actors: Mapping[ActorRole, Actor]) -> Command:
        return self.command.from_text(self.name, text, actors[self.command.simulated_by])
