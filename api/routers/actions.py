"""Every action on a complaint, one route per entry of the command registry.

POST /complaints/{complaint_id}/<path>: the body is the command's request, the caller signs it,
the complaint's workflow checks and applies it (`domain.commands`). A customer acts only on
their own complaints, a caller with `brands` only on those brands' (404 for the others); the
other roles the command allows act on any.
"""

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from api.auth import FORBIDDEN, UNAUTHORIZED, Authentication, allow
from api.credentials import Principal
from api.rate_limits import RateLimiter, rate_limiter
from api.routers.complaints import (
    ACTION_ERRORS,
    ComplaintId,
    Policies,
    ensure_visible,
    seen_by,
)
from api.temporal import TemporalClient, act_on_complaint
from domain.command import ANYONE, Route
from domain.commands import ROUTES
from domain.history import ActorRole
from domain.policy_files import PolicySet
from domain.view import ComplaintView

CaseTypeInPath = Annotated[
    str, Path(pattern=r"^[a-z][a-z0-9_]{0,59}$", description="The case type flagged earlier")
]
PATH_PARAMETERS = {"case_type": CaseTypeInPath}
"""The path parameters a route may have besides the complaint's id."""
REFUSED_BY_PLAYBOOK: dict[int | str, dict[str, Any]] = {
    422: {"description": "Invalid body, or one the playbook cannot take: `loc` names the field"}
}

router = APIRouter(prefix="/complaints", responses=UNAUTHORIZED)


def endpoint_for(route: Route) -> Callable[..., Awaitable[ComplaintView]]:
    """The route's handler, with the signature FastAPI reads its parameters from."""

    async def act(
        complaint_id: str,
        client: Any,
        caller: Principal,
        auth: Any,
        limiter: RateLimiter,
        policies: PolicySet,
        body: Any = None,
        **path: str,
    ) -> ComplaintView:
        await limiter.action(caller)
        await ensure_visible(client, complaint_id, caller, auth, policies)
        signed = {"by_sub": caller.subject} if route.signed_by_sub else {}
        command = route.build(body, caller.actor, **signed, **path)
        return seen_by(caller, await act_on_complaint(client, complaint_id, command))

    parameters = [
        _parameter("complaint_id", ComplaintId),
        *(_parameter(name, PATH_PARAMETERS[name]) for name in route.path_parameters),
        _parameter("client", TemporalClient),
        _parameter("caller", Annotated[Principal, Depends(allow(*_in_order(route.roles)))]),
        _parameter("auth", Authentication),
        _parameter("limiter", Annotated[RateLimiter, Depends(rate_limiter)]),
        _parameter("policies", Policies),
    ]
    if route.body is not None:
        parameters.append(_parameter("body", route.body))
    act.__signature__ = inspect.Signature(parameters, return_annotation=ComplaintView)
    act.__doc__ = inspect.cleandoc(route.description)
    act.__name__ = route.name
    return act


def _in_order(roles: frozenset[ActorRole]) -> list[ActorRole]:
    """The roles as the enum lists them, so a 403 names them the same way every time."""
    return [role for role in ActorRole if role in roles]


def _parameter(name: str, annotation: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)


for _route in ROUTES:
    router.add_api_route(
        f"/{{complaint_id}}/{_route.path}",
        endpoint_for(_route),
        methods=["POST"],
        name=_route.name,
        tags=[_route.tag],
        response_model=ComplaintView,
        responses={
            **ACTION_ERRORS,
            **({} if _route.roles >= ANYONE else FORBIDDEN),
            **(REFUSED_BY_PLAYBOOK if _route.tag == "cases" else {}),
        },
    )
