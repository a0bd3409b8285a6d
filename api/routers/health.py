"""Liveness and readiness, for load balancers and orchestrators."""

from datetime import timedelta

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.service import RPCError

from api.temporal import TemporalClient

router = APIRouter(tags=["health"])
READY_TIMEOUT = timedelta(seconds=2)


class Liveness(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: str = "ok"


class Readiness(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "temporal": "reachable",
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
    policies: dict[str, str]
    """Loaded policy version per brand."""


@router.get("/health", response_model=Liveness)
async def health() -> Liveness:
    """The process answers."""
    return Liveness()


@router.get(
    "/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Temporal is not reachable"}},
)
async def ready(request: Request, client: TemporalClient) -> Readiness | JSONResponse:
    """Ready only when Temporal answers; also shows the policy version of each brand."""
    policies = request.app.state.policies
    versions = {brand: policies.for_brand(brand).version for brand in policies.brands}
    try:
        await client.workflow_service.get_system_info(GetSystemInfoRequest(), timeout=READY_TIMEOUT)
    except (RPCError, RuntimeError) as err:  # RuntimeError: the connection itself failed
        answer = Readiness(temporal=f"unreachable: {err}", policies=versions)
        return JSONResponse(answer.model_dump(), status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
    return Readiness(temporal="reachable", policies=versions)
