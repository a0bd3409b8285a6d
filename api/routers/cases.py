"""Playbooks on a complaint: flag a case type, record the asked party's answer or an event."""

from typing import Annotated, Any

from fastapi import APIRouter, Path

from api.auth import UNAUTHORIZED, Staff
from api.case_schemas import (
    CaseAnswerRequest,
    CaseEventRequest,
    CaseFlagRequest,
    CaseNoteRequest,
)
from api.routers.complaints import RESTRICTED_ACTION_ERRORS, ComplaintId
from api.temporal import TemporalClient, act_on_complaint
from domain.cases import CaseFlag
from domain.commands import AddNote, AnswerCase, FlagCase, RecordCaseEvent
from domain.complaint import ComplaintView
from workflows.complaint import ComplaintWorkflow

router = APIRouter(prefix="/complaints", tags=["cases"], responses=UNAUTHORIZED)
CASE_ERRORS: dict[int | str, dict[str, Any]] = {
    **RESTRICTED_ACTION_ERRORS,
    422: {"description": "Invalid body, or one the playbook cannot take: `loc` names the field"},
}
CaseType = Annotated[
    str, Path(pattern=r"^[a-z][a-z0-9_]{0,59}$", description="The case type flagged earlier")
]


@router.post("/{complaint_id}/cases", response_model=ComplaintView, responses=CASE_ERRORS)
async def flag_case(
    complaint_id: ComplaintId, body: CaseFlagRequest, client: TemporalClient, caller: Staff
) -> ComplaintView:
    """Start a case type's playbook at once: its clocks run beside the escalation ladder."""
    flag = CaseFlag(case_type=body.case_type, fields=body.fields, description=body.description)
    command = FlagCase(by=caller.actor, flag=flag)
    return await act_on_complaint(client, complaint_id, ComplaintWorkflow.flag_case, command)


@router.post(
    "/{complaint_id}/cases/{case_type}/answer", response_model=ComplaintView, responses=CASE_ERRORS
)
async def answer_case(
    complaint_id: ComplaintId,
    case_type: CaseType,
    body: CaseAnswerRequest,
    client: TemporalClient,
    caller: Staff,
) -> ComplaintView:
    """The service centre (or retailer) answered: its clock stops and the playbook goes on."""
    command = AnswerCase(
        by=caller.actor,
        case_type=case_type,
        answer=body.answer,
        outcome=body.outcome,
    )
    return await act_on_complaint(client, complaint_id, ComplaintWorkflow.answer_case, command)


@router.post(
    "/{complaint_id}/cases/{case_type}/events", response_model=ComplaintView, responses=CASE_ERRORS
)
async def record_case_event(
    complaint_id: ComplaintId,
    case_type: CaseType,
    body: CaseEventRequest,
    client: TemporalClient,
    caller: Staff,
) -> ComplaintView:
    """Record an event of the playbook (a claim, a refusal, parts arrived): it acts at once."""
    command = RecordCaseEvent(
        by=caller.actor,
        case_type=case_type,
        event=body.event,
        note=body.note,
    )
    return await act_on_complaint(
        client, complaint_id, ComplaintWorkflow.record_case_event, command
    )


@router.post(
    "/{complaint_id}/cases/{case_type}/notes", response_model=ComplaintView, responses=CASE_ERRORS
)
async def add_case_note(
    complaint_id: ComplaintId,
    case_type: CaseType,
    body: CaseNoteRequest,
    client: TemporalClient,
    caller: Staff,
) -> ComplaintView:
    """Add a note to the history, linked to the case (the seed's "leave notes" on every step)."""
    command = AddNote(by=caller.actor, text=body.text, case_type=case_type)
    return await act_on_complaint(client, complaint_id, ComplaintWorkflow.add_note, command)
