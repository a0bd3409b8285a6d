"""Complaints: file one, read its live state, act on it."""

import asyncio
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import phonenumbers
from fastapi import APIRouter, Depends, Header, HTTPException, Path, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from api.auth import (
    UNAUTHORIZED,
    Authenticated,
    Authentication,
)
from api.brand_scope import ensure_brand_in_scope, maybe_in_scope
from api.calendars import NoCalendar, business_calendar_for
from api.credentials import Authenticator, Principal
from api.rate_limits import RateLimiter, rate_limiter
from api.schemas import ErrorDetail, IntakePending
from api.settings import ApiSettings
from api.temporal import (
    TemporalClient,
    complaint_handle,
    indexed_owner,
    not_found,
    read_complaint,
    started,
    unavailable,
)
from domain.calendar import BusinessCalendar
from domain.case_actions import playbook_for
from domain.cases import CaseNotValid
from domain.engine_room import matter_summary
from domain.history import ActorRole
from domain.identity import matter_id
from domain.intake import ComplaintIntake, RecorderRole
from domain.policy import EscalationPolicy
from domain.policy_files import PolicySet
from domain.view import ComplaintView, for_customer, view_of
from workflows.complaint import ComplaintWorkflow
from workflows.ids import matter_workflow_id
from workflows.inputs import (
    MATTER_REVISION,
    ComplaintStart,
    Filing,
    FilingOutcome,
    MatterStart,
)
from workflows.matter import MatterWorkflow

log = logging.getLogger(__name__)
FILING_ATTEMPTS = 3
"""Signal-with-start attempts while concurrent filings race to start their matter's workflow."""
RECEIPT_RETRY_SECONDS = 0.01
"""How soon to ask again for a complaint the matter is starting but the server does not show yet."""
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail, "description": "No complaint with this id"}
}
MALFORMED: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorDetail, "description": "The body is not valid UTF-8 JSON"}
}
TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorDetail, "description": "Request body too large"}
}
ACTION_ERRORS: dict[int | str, dict[str, Any]] = {
    **MALFORMED,
    **NOT_FOUND,
    409: {"model": ErrorDetail, "description": "Not allowed in the complaint's state, or closed"},
    **TOO_LARGE,
}
router = APIRouter(prefix="/complaints", tags=["complaints"], responses=UNAUTHORIZED)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="Send the same key when retrying: the same complaint comes back",
    ),
]
ComplaintId = Annotated[
    str,
    Path(pattern=r"^[a-z0-9]{1,64}$", description="The id returned when the complaint was filed"),
]


def policy_set(request: Request) -> PolicySet:
    return request.app.state.policies


Policies = Annotated[PolicySet, Depends(policy_set)]


def policy_and_calendar(
    intake: ComplaintIntake, policies: PolicySet
) -> tuple[EscalationPolicy, BusinessCalendar | None]:
    """The brand's policy and the country's calendar, or a 422 naming the field at fault."""
    if intake.country not in phonenumbers.SUPPORTED_REGIONS:
        raise _invalid(
            "country",
            message=f"{intake.country} is not a country's ISO 3166-1 alpha-2 code (IN, MX, …)",
        )
    try:
        policy = policies.for_brand(intake.brand)
    except KeyError as err:
        raise _invalid("brand", message=str(err.args[0])) from None
    try:
        calendar = business_calendar_for(policy, intake.country, datetime.now(UTC).date())
    except NoCalendar as err:
        raise _invalid("country", message=str(err)) from None
    return policy, calendar


def _check_case(intake: ComplaintIntake, policy: EscalationPolicy) -> None:
    """A case named at filing must fit one of the brand's playbooks: else 422 naming the field."""
    if intake.case is None:
        return
    try:
        playbook_for(policy, intake.case)
    except CaseNotValid as err:
        raise _invalid("case", err.field, message=str(err)) from None


def _invalid(*loc: str, message: str = "") -> RequestValidationError:
    return RequestValidationError(
        [{"loc": ("body", *loc), "msg": message, "type": "value_error", "input": None}]
    )


def api_settings(request: Request) -> ApiSettings:
    return request.app.state.settings


Settings = Annotated[ApiSettings, Depends(api_settings)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ComplaintView,
    responses={
        200: {
            "model": ComplaintView,
            "description": "A repeat: the customer's open complaint about the same product, "
            "with this filing recorded as another contact",
        },
        202: {"model": IntakePending, "description": "Filed; not routed and confirmed yet"},
        **MALFORMED,
        403: {
            "model": ErrorDetail,
            "description": "A customer filing for someone else, or credentials with `brands` "
            "filing for another brand",
        },
        409: {
            "model": ErrorDetail,
            "description": "Idempotency-Key used for another complaint; or a repeat that joined "
            "the customer's open complaint under a brand the credentials are not for",
        },
        **TOO_LARGE,
        503: {"model": ErrorDetail, "description": "Temporal is unreachable; nothing was filed"},
    },
)
async def file_complaint(
    intake: ComplaintIntake,
    client: TemporalClient,
    settings: Settings,
    policies: Policies,
    caller: Authenticated,
    auth: Authentication,
    limiter: Annotated[RateLimiter, Depends(rate_limiter)],
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ComplaintView | JSONResponse:
    """File a complaint: it starts at level 1 with a deadline; the customer is acknowledged.

    A filing by the same customer about the same product while a complaint about it is open is
    a repeat (seed 004): it joins that complaint as another contact (200), never a second case.
    Staff file for anyone; a customer only for themselves (their email, or phone without one).
    With an `Idempotency-Key`, a retry (even a concurrent one, even after the complaint closed)
    returns the same complaint instead of filing again.
    The filing is durable once sent: if it is not confirmed in time (no worker running, say), the
    answer is 202 with its id rather than an error a client would retry.
    """
    filed = await file_intake(
        intake, caller, client, settings, policies, auth, limiter, idempotency_key
    )
    if isinstance(filed, IntakePending):
        return JSONResponse(
            filed.model_dump(),
            status_code=status.HTTP_202_ACCEPTED,
            headers={"Location": f"/complaints/{filed.id}"},
        )
    if filed.repeat:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/complaints/{filed.view.id}"
    return filed.view


@dataclass(frozen=True)
class Filed:
    """Where a filing went: a new complaint, or (`repeat`) the open one it joined."""

    view: ComplaintView
    """As the caller's role sees it."""
    repeat: bool


async def file_intake(
    intake: ComplaintIntake,
    caller: Principal,
    client: Client,
    settings: ApiSettings,
    policies: PolicySet,
    auth: Authenticator,
    limiter: RateLimiter,
    idempotency_key: str | None = None,
) -> Filed | IntakePending:
    """File as `POST /complaints` does (the case desk's form too): HTTPException (403, 409, 429,
    503) or RequestValidationError (brand, country, case) when refused; IntakePending when filed
    but not confirmed in time."""
    await limiter.filing(caller)
    if caller.role is ActorRole.CUSTOMER:
        _customer_files_own(intake, caller, auth)
    ensure_brand_in_scope(caller, intake.brand, "file for")
    policy, calendar = policy_and_calendar(intake, policies)
    _check_case(intake, policy)
    proposed = complaint_id_for(idempotency_key, caller)
    customer = auth.customer_id_of(intake.customer)
    matter = matter_id(customer, intake.product)
    filing = Filing(
        start=ComplaintStart(
            complaint_id=proposed,
            intake=intake,
            policy=policy,
            calendar=calendar,
            customer_id=customer,
            journal=True,
        ),
        by=caller.actor,
    )
    try:
        if idempotency_key and await started(client, proposed):
            matter_handle = None  # a retry: its earlier filing started the complaint
        else:
            matter_handle = await send_filing(client, settings.task_queue, matter, filing)
    except (RPCError, RuntimeError, WorkflowAlreadyStartedError) as err:
        log.warning("complaint %s not filed: %r", proposed, err)
        raise unavailable("nothing was filed; try again") from err
    try:
        async with asyncio.timeout(settings.intake_confirmation_seconds):
            if matter_handle is None:
                outcome = FilingOutcome(complaint_id=proposed, repeat=False)
            else:
                outcome = await routed(client, matter_handle, proposed)
            if outcome.opened_at is not None:
                view = _receipt_as_opened(filing.start, outcome, outcome.opened_at)
            else:
                view = await _receipt(client, outcome.complaint_id)
    except (
        TimeoutError,
        WorkflowUpdateRPCTimeoutOrCancelledError,
        WorkflowQueryFailedError,
        RPCError,
    ) as err:
        log.warning("complaint %s filed but not confirmed: %r", proposed, err)
        return IntakePending(
            id=proposed,
            detail=f"filed; GET /complaints/{proposed} shows its deadline once confirmed (a "
            "repeat about the same product joins the customer's open complaint instead)",
        )
    if not caller.sees_brand(view.intake.brand):  # a repeat about the same product, filed
        raise HTTPException(  # earlier under another brand: recorded there, not shown here
            status.HTTP_409_CONFLICT,
            detail="the customer has an open complaint about this product under a brand these "
            "credentials are not for: the filing was recorded there as another contact",
        )
    if idempotency_key and not outcome.repeat and view.intake != intake:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=f"Idempotency-Key {idempotency_key!r} was used for a different complaint",
        )
    return Filed(seen_by(caller, view), outcome.repeat)


async def send_filing(
    client: Client, task_queue: str, matter: str, filing: Filing
) -> WorkflowHandle[MatterWorkflow, list[str]]:
    """Signal-with-start the matter's workflow with the filing: durable once this returns.

    Filings about a new matter at the same instant race to start its workflow, and a server may
    refuse the loser as already started (Temporal's test server does; temporalio/temporal#719
    fixed it in the real one). Nothing was sent then, and the workflow runs now: send it again.
    """
    for attempt in range(1, FILING_ATTEMPTS + 1):
        try:
            return await client.start_workflow(
                MatterWorkflow.run,
                MatterStart(matter_id=matter, revision=MATTER_REVISION),
                id=matter_workflow_id(matter),
                task_queue=task_queue,
                start_signal="file",
                start_signal_args=[filing],
                static_summary=matter_summary(matter, filing.start.intake, filing.start.policy),
            )
        except WorkflowAlreadyStartedError:
            if attempt == FILING_ATTEMPTS:
                raise
            log.info("matter %s started by a concurrent filing; sending again", matter)
    raise AssertionError("unreachable")


def _customer_files_own(intake: ComplaintIntake, caller: Principal, auth: Authenticator) -> None:
    if not auth.may_see(caller, intake.customer):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="a customer files complaints only for themselves: customer.email (or "
            "customer.phone, without an email) must be the one the token was issued for",
        )
    if intake.recorded_by.role is not RecorderRole.CUSTOMER:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="a customer records their own complaint: recorded_by.role must be customer",
        )
    if intake.case is not None:  # a playbook emails partners and moves the complaint up
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="a customer does not name a case type: staff flag cases "
            "(POST /complaints/{id}/cases); leave `case` out",
        )


async def routed(
    client: Client, matter_handle: WorkflowHandle[MatterWorkflow, list[str]], proposed: str
) -> FilingOutcome:
    """Where the filing that proposed `proposed` went (the matter's `outcome` update), once a
    complaint it starts exists (the matter answers as it decides to start one)."""
    outcome = await matter_handle.execute_update("outcome", proposed, result_type=FilingOutcome)
    if outcome.opened_at is not None:
        await _until_started(client, outcome.complaint_id)
    return outcome


async def _until_started(client: Client, complaint_id: str) -> None:
    """Once the server shows the complaint the matter is starting (a few milliseconds): the
    201's Location answers from the moment the client has it (the caller bounds the wait)."""
    while True:
        if await started(client, complaint_id):
            return
        await asyncio.sleep(RECEIPT_RETRY_SECONDS)


def _receipt_as_opened(
    start: ComplaintStart, outcome: FilingOutcome, opened_at: datetime
) -> ComplaintView:
    """The new complaint as its workflow opens it (`ComplaintStart.opening`), from what the
    matter answered: the workflow's first task need not be waited for."""
    counted = start.model_copy(update={"earlier_filings": outcome.earlier_filings})
    return view_of(counted.opening(opened_at))


async def _receipt(client: Client, complaint_id: str) -> ComplaintView:
    """The complaint's state as its workflow computed it: a query, which the server holds until
    the complaint's first workflow task is done, and which costs its history nothing; asked once
    the server shows the complaint (the matter may have just decided to start it)."""
    await _until_started(client, complaint_id)
    return await complaint_handle(client, complaint_id).query(ComplaintWorkflow.view)


def complaint_id_for(idempotency_key: str | None, caller: Principal) -> str:
    """A fresh random id, or one derived from the caller and their key so that their retries find
    it: keys are the caller's own, and another caller's key neither clashes nor shows."""
    if idempotency_key is None:
        return secrets.token_hex(8)
    scoped = f"idempotency:{caller.role}:{caller.subject}:{idempotency_key}"
    return hashlib.sha256(scoped.encode()).hexdigest()[:16]


async def visible_complaint(
    client: Client,
    complaint_id: str,
    caller: Principal,
    auth: Authenticator,
    policies: PolicySet,
) -> ComplaintView:
    """The complaint if the caller may see it, as their role sees it; anyone else's is 404 as
    if missing: another customer's to a customer, another brand's to a caller with `brands`."""
    if _confined(caller):
        owner = await indexed_owner(client, complaint_id)
        foreign_customer = caller.role is ActorRole.CUSTOMER and (
            owner.customer_id is not None
            and not hmac.compare_digest(owner.customer_id, caller.subject)
        )
        if foreign_customer or not maybe_in_scope(caller, policies, owner.policy_name):
            raise not_found(complaint_id)  # without asking the worker: as fast as an unknown id
    view = await read_complaint(client, complaint_id)
    # Complaints indexed without an owner, or under a policy name another brand shares:
    if not auth.may_see(caller, view.intake.customer) or not caller.sees_brand(view.intake.brand):
        raise not_found(complaint_id)
    return seen_by(caller, view)


def seen_by(caller: Principal, view: ComplaintView) -> ComplaintView:
    """The complaint as the caller's role sees it: a customer, without the desk's own work."""
    return for_customer(view) if caller.role is ActorRole.CUSTOMER else view


async def ensure_visible(
    client: Client,
    complaint_id: str,
    caller: Principal,
    auth: Authenticator,
    policies: PolicySet,
) -> None:
    """Before acting: 404 unless the caller may see the complaint. Staff without `brands` act
    on any (the workflow answers 404 for an unknown one)."""
    if _confined(caller):
        await visible_complaint(client, complaint_id, caller, auth, policies)


def _confined(caller: Principal) -> bool:
    """A customer (their own complaints) or a caller with `brands` (those brands')."""
    return caller.role is ActorRole.CUSTOMER or caller.brands is not None


@router.get("/{complaint_id}", response_model=ComplaintView, responses=NOT_FOUND)
async def get_complaint(
    complaint_id: ComplaintId,
    client: TemporalClient,
    caller: Authenticated,
    auth: Authentication,
    policies: Policies,
) -> ComplaintView:
    """The live state: level, status, owner, deadline and full history (customers: their own;
    callers with `brands`: those brands')."""
    return await visible_complaint(client, complaint_id, caller, auth, policies)
