"""Who holds a complaint at its level: take it, give it to someone, release it to the queue.

A complaint belongs to its level's owner role (`agent`, `supervisor`, ...); within it, one
person may hold it. Staff take it themselves; supervisors and admins take it over from anyone
and give or release anyone's; an agent gives or releases only what they hold, and takes only
what nobody holds. Escalation lets it go (`domain.ladder.escalate`): the next level's owner
role takes over. People are known by `sub` (their token's subject, an API key's name), which
`by` in the history does not carry; the API signs these commands with it (`by_sub`).
"""

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, StringConstraints

from domain.command import STAFF, SUPERVISORS, Command, RequestBody, examples
from domain.complaint import Complaint
from domain.history import Actor, ActorRole, Assignee, StepKind
from domain.journal import record
from domain.status import ACTIVE, ActionNotAllowed, ComplaintStatus

Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class AssignmentCommand(Command):
    """A command about who holds the complaint: it knows the caller by `sub`, not only by name."""

    by_sub: Subject
    """The caller's subject: what `Assignee.sub` is compared with."""

    roles = STAFF
    allowed_in = ACTIVE
    signed_by_sub = True

    @classmethod
    def from_request(cls, body: BaseModel | None, by: Actor, *, by_sub: str, **path: str) -> Self:
        fields = body.model_dump() if body is not None else {}
        return cls(by=by, by_sub=by_sub, **fields, **path)

    @classmethod
    def from_text(cls, verb: str, text: str | None, by: Actor) -> Self:
        return cls.model_construct(None, by=by, by_sub=by.name, **cls._simulated(text))

    @classmethod
    def _simulated(cls, text: str | None) -> dict[str, object]:
        return {}

    @property
    def caller(self) -> Assignee:
        return Assignee(sub=self.by_sub, name=self.by.name)

    @property
    def supervises(self) -> bool:
        """Supervisors and admins move anyone's complaints; agents only their own."""
        return self.by.role in SUPERVISORS

    def holds(self, complaint: Complaint) -> bool:
        return complaint.assignee is not None and complaint.assignee.sub == self.by_sub

    def queue(self, complaint: Complaint) -> str:
        return f"the {complaint.current_level.owner_role} queue"


class Take(AssignmentCommand):
    """Take the complaint: the caller holds it until they release it or give it on, or it moves
    up a level. Supervisors and admins may take it over from whoever holds it."""

    path = "take"
    verbs = ("take",)

    def check(self, complaint: Complaint) -> None:
        super().check(complaint)
        held_by = complaint.assignee
        if self.holds(complaint):
            raise ActionNotAllowed("cannot take: you hold it already")
        if held_by is not None and not self.supervises:
            raise ActionNotAllowed(
                f"cannot take: {held_by.name} holds it; they give it to you or release it, or "
                "a supervisor gives it to you"
            )

    def apply(self, complaint: Complaint, at: datetime) -> None:
        held_by, complaint.assignee = complaint.assignee, self.caller
        why = f"taken by {self.by.name}" + (f" from {held_by.name}" if held_by else "")
        record(complaint, at, self.by, StepKind.ASSIGNED, reason=why, assignee=self.caller)


class GiveRequest(RequestBody):
    """Who is to hold the complaint: their `sub` (what their token carries) and name."""

    model_config = examples({"assignee": {"sub": "ravi", "name": "Ravi"}})

    assignee: Assignee


class Give(GiveRequest, AssignmentCommand):
    """Give the complaint to a person (by the `sub` their token carries): supervisors and admins
    give any complaint to anyone, an agent only one they hold."""

    path = "give"
    verbs = ("give",)
    simulated_by = ActorRole.SUPERVISOR
    text_field, text_default = "assignee", "a colleague"

    @classmethod
    def _simulated(cls, text: str | None) -> dict[str, object]:
        """`give Ravi`: the simulator knows people by name only."""
        name = text or cls.text_default or ""
        return {"assignee": Assignee.model_construct(sub=name, name=name)}

    def check(self, complaint: Complaint) -> None:
        super().check(complaint)
        held_by = complaint.assignee
        if held_by is not None and held_by.sub == self.assignee.sub:
            raise ActionNotAllowed(f"cannot give: {held_by.name} holds it already")
        if not self.supervises and not self.holds(complaint):
            holder = f"{held_by.name} holds it" if held_by else "nobody holds it; take it first"
            raise ActionNotAllowed(f"cannot give: an agent gives only what they hold, and {holder}")

    def apply(self, complaint: Complaint, at: datetime) -> None:
        held_by, complaint.assignee = complaint.assignee, self.assignee
        why = f"given to {self.assignee.name} by {self.by.name}"
        if held_by is not None and held_by.sub != self.by_sub:
            why += f" (held by {held_by.name})"
        record(complaint, at, self.by, StepKind.ASSIGNED, reason=why, assignee=self.assignee)


class Release(AssignmentCommand):
    """Let the complaint go back to its owner role's queue: an agent releases what they hold,
    supervisors and admins anyone's (also once it is resolved)."""

    allowed_in = frozenset({*ACTIVE, ComplaintStatus.RESOLVED})
    path = "release"
    verbs = ("release",)
    simulated_by = ActorRole.SUPERVISOR

    def check(self, complaint: Complaint) -> None:
        super().check(complaint)
        held_by = complaint.assignee
        if held_by is None:
            raise ActionNotAllowed(
                f"cannot release: nobody holds it; it is in {self.queue(complaint)}"
            )
        if not self.supervises and not self.holds(complaint):
            raise ActionNotAllowed(
                f"cannot release: {held_by.name} holds it; only they, a supervisor or an admin "
                "release it"
            )

    def apply(self, complaint: Complaint, at: datetime) -> None:
        held_by, complaint.assignee = complaint.assignee, None
        assert held_by is not None
        whose = "" if held_by.sub == self.by_sub else f" for {held_by.name}"
        why = f"released by {self.by.name}{whose}: back to {self.queue(complaint)}"
        record(complaint, at, self.by, StepKind.RELEASED, reason=why, assignee=held_by)
