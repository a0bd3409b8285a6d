"""The registry of everything people do to a complaint: one entry per command.

The workflow registers an update (and its validator) per command; the API a route per
`ROUTES` entry; the simulator a verb per `VERBS` entry; docs/api.md's role table is made from
`ROUTES` and checked by a test.
"""

from domain.assignment import Give, Release, Take
from domain.case_actions import AnswerCase, FlagCase, RecordCaseEvent
from domain.command import Command, Route, Verb
from domain.repeat_contacts import MarkHighFrequency, RecordContact
from domain.resolution import CustomerFeedback, ProposeResolution, Reopen
from domain.reviews import REPLY_REVIEW, ApproveReply, Assess, RefuseReply
from domain.staff_actions import CASE_NOTE, AddNote, Escalate, Pause, Resume
from domain.supervisor_call import RequestSupervisor, SupervisorJoined

COMMANDS: tuple[type[Command], ...] = (
    Pause,
    Resume,
    ProposeResolution,
    CustomerFeedback,
    AddNote,
    Reopen,
    RecordContact,
    MarkHighFrequency,
    RequestSupervisor,
    SupervisorJoined,
    Escalate,
    ApproveReply,
    RefuseReply,
    FlagCase,
    AnswerCase,
    RecordCaseEvent,
    Assess,
    Take,
    Give,
    Release,
)
BY_UPDATE: dict[str, type[Command]] = {command.update_name(): command for command in COMMANDS}
"""Each command by the name of the workflow update that carries it."""

ROUTES: tuple[Route, ...] = (
    *(Route.of(command) for command in COMMANDS if command.path is not None),
    CASE_NOTE,
    REPLY_REVIEW,
)
VERBS: dict[str, Verb] = {
    verb: Verb(verb, command) for command in COMMANDS for verb in command.verbs
}
