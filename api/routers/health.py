"""Liveness and readiness, for load balancers and orchestrators."""

import logging
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest, GetSystemInfoRequest
from temporalio.client import Client
from temporalio.service import RPCError

from api.temporal import TemporalClient

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)
READY_TIMEOUT = timedelta(seconds=2)
WORKER_SEEN_WITHIN = timedelta(minutes=2)
"""A worker long-polls without pause (each poll up to about a minute): one not seen for longer
is gone."""


class Liveness(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: str = "ok"


class Readiness(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "temporal": "reachable",
                    "worker": "polling",
                    "policies": {
                        "default": "da499f5cedd8",
                        "delonghi-mx": "5eff762c8322",
                        "xiaomi-in": "6888a1a67c37",
                    },
                }
            ]
        }
    )

    temporal: str
    worker: str
    """`polling` (a worker took work from the task queue lately), `none polling since …`, or
    `unknown` (the server cannot say)."""
    policies: dict[str, str]
    """Loaded policy version per brand."""


@router.get("/health", response_model=Liveness)
async def health() -> Liveness:
    """The process answers."""
    return Liveness()


@router.get(
    "/ready",
    response_model=Readiness,
    responses={
        503: {"model": Readiness, "description": "Temporal is not reachable, or no worker polls"}
    },
)
async def ready(request: Request, client: TemporalClient) -> Readiness | JSONResponse:
    """Ready only when Temporal answers and a worker polls the complaints' task queue (a dead
    worker would leave filings unconfirmed); also shows the policy version of each brand."""
    policies = request.app.state.policies
    versions = {brand: policies.for_brand(brand).version for brand in policies.brands}
    try:
        await client.workflow_service.get_system_info(GetSystemInfoRequest(), timeout=READY_TIMEOUT)
    except (RPCError, RuntimeError) as err:  # RuntimeError: the connection itself failed
        answer = Readiness(temporal=f"unreachable: {err}", worker="unknown", policies=versions)
        return JSONResponse(answer.model_dump(), status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
    worker = await _worker_state(client, request.app.state.settings.task_queue)
    answer = Readiness(temporal="reachable", worker=worker, policies=versions)
    if worker.startswith("none"):
        return JSONResponse(answer.model_dump(), status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
    return answer


async def _worker_state(client: Client, task_queue: str) -> str:
    """Whether a worker polled the task queue for workflow tasks within `WORKER_SEEN_WITHIN`."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    try:
        described = await client.workflow_service.describe_task_queue(
            request, timeout=READY_TIMEOUT
        )
    except (RPCError, RuntimeError) as err:
        log.warning("ready: cannot describe task queue %r: %s", task_queue, err)
        return "unknown"
    seen = [poller.last_access_time.ToDatetime(UTC) for poller in described.pollers]
    if seen and datetime.now(UTC) - max(seen) <= WORKER_SEEN_WITHIN:
        return "polling"
    last = f" since {max(seen).isoformat(timespec='seconds')}" if seen else ""
    log.warning("ready: no worker polls task queue %r%s", task_queue, last)
    return f"none polling{last}"
