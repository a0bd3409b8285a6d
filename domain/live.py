"""What the case desk tells signed-in people the moment it happens: a customer on the line asks
for a supervisor, the agent's hold wants refreshing, a complaint breached its deadline.

Made from a complaint's new steps when the case journal records them; who gets which is the
desk's business (`api.desk.live`).
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.history import Actor, Assignee, Step, StepKind
from domain.view import ComplaintView


class LiveKind(StrEnum):
    SUPERVISOR_REQUESTED = "supervisor_requested"
    HOLD_REMINDER = "hold_reminder"
    SUPERVISOR_JOINED = "supervisor_joined"
    SUPERVISOR_MISSED = "supervisor_missed"
    BREACHED = "breached"


SUPERVISOR_CALL = frozenset(
    {LiveKind.HOLD_REMINDER, LiveKind.SUPERVISOR_JOINED, LiveKind.SUPERVISOR_MISSED}
)
"""Steps of a supervisor call that concern the person who asked for the supervisor."""


class LiveEvent(BaseModel):
    """One thing to tell the desk at once, about one step of one complaint."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    seq: int
    kind: LiveKind
    at: datetime
    brand: str
    level: int
    """The complaint's level after the step (a breach's escalation included)."""
    owner_role: str
    text: str
    requester: Actor | None = None
    """For a supervisor call: who asked for the supervisor."""
    holder_sub: str | None = None
    """For a breach: who held the complaint when it breached (escalation lets it go)."""


def live_events(
    view: ComplaintView, new_steps: Sequence[Step], earlier_steps: Iterable[Step] = ()
) -> list[LiveEvent]:
    """The live events among `new_steps` (steps the journal has just written, in order).

    `earlier_steps` (newest first, read only when needed) find who asked for a supervisor when
    the request itself is older than these steps."""
    events: list[LiveEvent] = []
    requester: Actor | None = None
    holder: Assignee | None = None
    for position, step in enumerate(new_steps):
        match step.kind:
            case StepKind.SUPERVISOR_REQUESTED:
                requester = step.actor
            case StepKind.ASSIGNED:
                holder = step.assignee
            case StepKind.RELEASED:
                holder: Assignee | None = None
        if step.kind not in LiveKind.__members__.values():
            continue
        kind = LiveKind(step.kind)
        asked_by = None
        if kind in SUPERVISOR_CALL:
            asked_by = requester or _requester(earlier_steps)
        holder_sub = None
        if kind is LiveKind.BREACHED:
            held = holder or _released_after(new_steps[position + 1 :]) or view.assignee
            holder_sub = held.sub if held else None
        events.append(
            LiveEvent(
                complaint_id=view.id,
                seq=step.seq,
                kind=kind,
                at=step.at,
                brand=view.intake.brand or "default",
                level=view.level,
                owner_role=view.owner_role,
                text=_text(kind, step, view, asked_by),
                requester=asked_by,
                holder_sub=holder_sub,
            )
        )
    return events


def _requester(earlier_steps: Iterable[Step]) -> Actor | None:
    return next(
        (step.actor for step in earlier_steps if step.kind is StepKind.SUPERVISOR_REQUESTED),
        None,
    )


def _released_after(steps: Sequence[Step]) -> Assignee | None:
    """Who the escalation that follows a breach let go of (its `released` step)."""
    return next((step.assignee for step in steps if step.kind is StepKind.RELEASED), None)


def _text(kind: LiveKind, step: Step, view: ComplaintView, requester: Actor | None) -> str:
    owner = view.owner_role.replace("_", " ")
    match kind:
        case LiveKind.SUPERVISOR_REQUESTED:
            why = f": {step.reason}" if step.reason else ""
            return f"{step.actor.name} has a customer on the line asking for a supervisor{why}"
        case LiveKind.HOLD_REMINDER:
            return _sentence(step.reason or "refresh the customer's hold")
        case LiveKind.SUPERVISOR_JOINED:
            return f"{step.actor.name} joined the call: the hold can end"
        case LiveKind.SUPERVISOR_MISSED:
            asker = f" that {requester.name} asked for" if requester else ""
            return f"No supervisor joined the call{asker}: {step.reason or 'given up'}"
        case LiveKind.BREACHED:
            now = (
                f"; now at level {view.level} with the {owner}" if view.level != step.level else ""
            )
            return f"Breached its level {step.level} deadline{now}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
