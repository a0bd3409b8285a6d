"""The Temporal client as a FastAPI dependency, and Temporal failures as HTTP answers."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    DescribeWorkflowExecutionResponse,
)
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import SearchAttributeKey
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.schemas import ErrorDetail
from domain.cases import CaseNotValid
from domain.command import Command
from domain.status import ActionNotAllowed
from domain.view import Acknowledgement, ComplaintView
from workflows.complaint import ComplaintWorkflow
from workflows.ids import workflow_id
from workflows.sealed import REFUSAL_TYPE
from workflows.search_attributes import CUSTOMER_ID, POLICY_NAME

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
READ_WITHIN = timedelta(seconds=10)
"""A read (query, describe) answers within it or the API says 503."""
ACT_WITHIN = timedelta(seconds=20)
"""An action's update is confirmed within it or the API says 503 (no worker takes it)."""
FAILING_TASK = "workflow task in failed state"
"""Temporal's words when a workflow's task keeps failing (queries are refused)."""


def temporal_client(request: Request) -> Client:
    """The client connected once at start-up."""
    return request.app.state.temporal_client


TemporalClient = Annotated[Client, Depends(temporal_client)]
VISIBILITY_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorDetail, "description": "Temporal's visibility (list) API is unavailable"}
}


def complaint_handle(client: Client, complaint_id: str) -> WorkflowHandle[ComplaintWorkflow, Any]:
    return client.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(complaint_id))


def unavailable(detail: str) -> HTTPException:
    """503 with `Retry-After`: Temporal or the engine cannot answer now; try again."""
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        detail=detail,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


@asynccontextmanager
async def engine_answering(
    client: Client, complaint_id: str, writing: bool, within: timedelta
) -> AsyncIterator[None]:
    """A call about one complaint, answered within `within` or refused with 503: Temporal out of
    reach, or the complaint's workflow task failing (a bad deploy: logged as an error for the
    operators), or no worker answering in time (by our clock or the server's, whichever runs out
    first). Other errors pass through."""
    changed = (
        "it may still take effect once the engine catches up: read the complaint before "
        "sending it again"
        if writing
        else "nothing was changed"
    )
    try:
        async with asyncio.timeout(within.total_seconds()):
            yield
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError) as err:
        # The second: the server's own wait for an update's outcome ran out first (the fault
        # suite's bad deploy found it answered 500 while the update stayed admitted).
        if await _task_failing(client, complaint_id):
            raise _failing(complaint_id, changed) from err
        log.warning("complaint %s: the engine did not answer within %s", complaint_id, within)
        raise unavailable(
            f"the engine did not answer within {within.total_seconds():g} s (is a worker "
            f"running?): {changed}"
        ) from err
    except (RPCError, WorkflowQueryFailedError) as err:
        if isinstance(err, RPCError) and err.status == RPCStatusCode.NOT_FOUND:
            raise
        if FAILING_TASK in str(err).lower() or isinstance(err, WorkflowQueryFailedError):
            # Our queries raise nothing by design: one that fails is the engine failing on it
            # (a bad deploy's code answering, the fault suite's `bad-deploy` found), not the
            # caller's fault.
            raise _failing(complaint_id, changed) from err
        log.warning("complaint %s: Temporal is unavailable: %s", complaint_id, err)
        raise unavailable(f"Temporal is unavailable: {changed}; try again shortly") from err
    except RuntimeError as err:  # the client's connection itself failed
        log.warning("complaint %s: Temporal is unreachable: %s", complaint_id, err)
        raise unavailable(f"Temporal is unreachable: {changed}; try again shortly") from err


def _failing(complaint_id: str, changed: str) -> HTTPException:
    log.error(
        "complaint %s: its workflow task is failing (a worker bug or a bad deploy: see the "
        "runbook); the API answers 503 for it",
        complaint_id,
    )
    return unavailable(
        f"complaint {complaint_id} cannot be worked on right now: the engine fails on it and "
        f"the operators are alerted; {changed}"
    )


async def _task_failing(client: Client, complaint_id: str) -> bool:
    """Whether the workflow's task is being retried after failing (not merely waiting)."""
    try:
        async with asyncio.timeout(READ_WITHIN.total_seconds()):
            described = await _describe(client, complaint_id)
    except (RPCError, RuntimeError, TimeoutError):
        return False
    pending = described.pending_workflow_task
    return described.HasField("pending_workflow_task") and pending.attempt > 1


async def read_complaint(client: Client, complaint_id: str) -> ComplaintView:
    """The live state from the workflow's query; 404 if there is no such complaint, 503 when
    the engine cannot answer (`engine_answering`)."""
    handle = complaint_handle(client, complaint_id)
    try:
        async with engine_answering(client, complaint_id, writing=False, within=READ_WITHIN):
            return await handle.query(ComplaintWorkflow.view, rpc_timeout=READ_WITHIN)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise not_found(complaint_id) from err
        raise


async def act_on_complaint(client: Client, complaint_id: str, command: Command) -> ComplaintView:
    """Send the command as its update, then read the complaint as the command left it (its
    history up to the command's last step: deliveries it set off are recorded after); 409 when
    the complaint's state refuses it or it is closed, 422 for a case its playbook cannot take,
    404 if unknown."""
    handle = complaint_handle(client, complaint_id)
    try:
        async with engine_answering(client, complaint_id, writing=True, within=ACT_WITHIN):
            done = await handle.execute_update(
                command.update_name(), command, result_type=Acknowledgement
            )
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError) and cause.type == ActionNotAllowed.__name__:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=cause.message) from err
        if isinstance(cause, ApplicationError) and cause.type == REFUSAL_TYPE:
            log.error("complaint %s: the worker cannot read the API's key: %s", complaint_id, cause)
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail="nothing was changed: the engine cannot read this request yet (its payload "
                "keys differ from the API's); try again shortly",
            ) from err
        if isinstance(cause, ApplicationError) and cause.type == CaseNotValid.__name__:
            field = str(cause.details[0]) if cause.details else "body"
            error = {"loc": ["body", field], "msg": cause.message, "type": "value_error"}
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=[error]) from err
        if await _closed(client, complaint_id):
            raise _closed_conflict(complaint_id) from err
        raise
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
        if await _closed(client, complaint_id):
            raise _closed_conflict(complaint_id) from err
        raise not_found(complaint_id) from err
    view = await read_complaint(client, complaint_id)
    return view.model_copy(update={"history": view.history[: done.steps]})


@dataclass(frozen=True)
class Indexed:
    """Whose a complaint is, as its search attributes say (None: not indexed yet)."""

    customer_id: str | None
    policy_name: str | None


async def indexed_owner(client: Client, complaint_id: str) -> Indexed:
    """The complaint's customer id and policy name, from its search attributes: one call to the
    server, none to a worker, so a caller asking for a complaint that is not theirs waits as
    long as for an unknown one. 404 if there is no such complaint."""
    try:
        async with engine_answering(client, complaint_id, writing=False, within=READ_WITHIN):
            described = await _describe(client, complaint_id)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise not_found(complaint_id) from err
        raise
    fields = described.workflow_execution_info.search_attributes.indexed_fields

    def keyword(key: SearchAttributeKey[str]) -> str | None:
        value = json.loads(fields[key.name].data or b"null") if key.name in fields else None
        return value if isinstance(value, str) else None

    return Indexed(customer_id=keyword(CUSTOMER_ID), policy_name=keyword(POLICY_NAME))


async def started(client: Client, complaint_id: str) -> bool:
    """Whether the complaint's workflow exists (open or closed)."""
    return await _described_if_any(client, complaint_id) is not None


async def _closed(client: Client, complaint_id: str) -> bool:
    """Whether the workflow exists and has finished (the complaint is closed)."""
    described = await _described_if_any(client, complaint_id)
    return described is not None and described.workflow_execution_info.HasField("close_time")


async def _described_if_any(
    client: Client, complaint_id: str
) -> DescribeWorkflowExecutionResponse | None:
    """The raw description, or None when there is no such workflow."""
    try:
        return await _describe(client, complaint_id)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


async def _describe(client: Client, complaint_id: str) -> DescribeWorkflowExecutionResponse:
    # The raw description: only what is asked for is decoded, and the Java test server keeps
    # unset Datetime attributes as nulls the SDK's decoder refuses.
    execution = WorkflowExecution(workflow_id=workflow_id(complaint_id))
    request = DescribeWorkflowExecutionRequest(namespace=client.namespace, execution=execution)
    return await client.workflow_service.describe_workflow_execution(request)


def not_found(complaint_id: str) -> HTTPException:
    """The answer for an unknown complaint (and, to a customer, for someone else's)."""
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no complaint {complaint_id}")


def _closed_conflict(complaint_id: str) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, detail=f"complaint {complaint_id} is closed")


@asynccontextmanager
async def visibility_or_503() -> AsyncIterator[None]:
    """Calls to the list API; a server without it (the Java test server), or out of reach: 503."""
    try:
        yield
    except RPCError as err:
        if err.status in (
            RPCStatusCode.UNIMPLEMENTED,
            RPCStatusCode.UNAVAILABLE,
            RPCStatusCode.DEADLINE_EXCEEDED,
        ):
            raise unavailable(f"Temporal cannot list complaints now: {err.message}") from err
        raise
    except RuntimeError as err:  # the client's connection itself failed
        raise unavailable(f"Temporal cannot list complaints now: {err}") from err


async def temporal_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The safety net for a Temporal error no route turned into an answer: 503, never 500."""
    log.warning("%s %s: Temporal error: %r", request.method, request.url.path, exc)
    refusal = unavailable("Temporal is unavailable; try again shortly")
    return JSONResponse(
        {"detail": refusal.detail}, status_code=refusal.status_code, headers=refusal.headers
    )
