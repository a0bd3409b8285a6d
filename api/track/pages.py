"""The customer's tracking page, `/track/<link>`: where the complaint stands, its public history,
and the customer's own actions (accept or reject a proposal, write to us, reopen) as forms.

The link is the credential: signed with COMPLAINTS_TRACKING_SECRET, it names one complaint, and
its holder acts as that complaint's customer (role customer, subject their customer id), through
the API's own code (`act_on_complaint`), so the workflow checks and refuses as it does for the
API. Every form carries an HMAC of the link (CSRF); the page is 404 for a forged link, an
unknown complaint, or a closed one whose reopen window has passed.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError

from activities.tracking_links import TrackingLinks
from api.credentials import Authenticator, Principal
from api.desk.pages import SECURITY_HEADERS
from api.rate_limits import RateLimiter
from api.temporal import RETRY_AFTER_SECONDS, act_on_complaint, read_complaint
from api.track.words import (
    LABELS,
    STATUS,
    actor_words,
    language_of,
    role_words,
    step_words,
)
from domain.command import Command
from domain.complaint import zone_name_for
from domain.history import ActorRole, Step
from domain.policy import EscalationPolicy
from domain.policy_files import PolicySet
from domain.repeat_contacts import ContactRequest, RecordContact
from domain.resolution import CustomerFeedback, FeedbackRequest, Reopen, ReopenRequest
from domain.status import ACTIVE, CLOCK_RUNS, ComplaintStatus
from domain.templates import span_words, speaker_for
from domain.view import ComplaintView, for_customer

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
CSRF_FIELD = "csrf_token"
ACTIONS = ("accept", "reject", "message", "reopen")

router = APIRouter(prefix="/track", include_in_schema=False)


class Gone(Exception):
    """No page for this link: forged, unknown, or the complaint is past reopening (404)."""


class Unavailable(Exception):
    """The engine cannot answer now (503): the customer is asked to come back shortly."""


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.add_exception_handler(Gone, _gone_page)
    app.add_exception_handler(Unavailable, _unavailable_page)


@router.get("/{link}")
async def tracking_page(request: Request, link: str, done: int = 0) -> Response:
    tracking, _, view = await _open(request, link)
    return _page(request, tracking, link, view, done=bool(done))


@router.post("/{link}/{action}")
async def act(request: Request, link: str, action: str) -> Response:
    """Send the form's command as the complaint's customer, as the API's route would."""
    tracking, complaint_id, view = await _open(request, link)
    data = await _form(request)
    if not tracking.csrf_matches(link, data.get(CSRF_FIELD)):
        return _refusal(request, 403, view)
    if action not in ACTIONS:
        raise Gone
    try:
        command_of = _command(action, data)
    except ValidationError:
        field = "note" if action == "message" else "reason"
        errors = {field: "invalid", "action": action}
        return _page(request, tracking, link, view, errors=errors, status_code=422)
    customer = _customer(request, view)
    limiter: RateLimiter = request.app.state.rate_limiter
    try:
        await limiter.action(customer)
        await act_on_complaint(
            request.app.state.temporal_client, complaint_id, command_of(customer)
        )
    except HTTPException as err:
        detail: Any = err.detail
        reason = (
            str(detail)
            if not isinstance(detail, list)
            else "; ".join(str(item.get("msg", item)) for item in detail)
        )
        if err.status_code == 503:
            raise Unavailable from err
        current = await _read(request, complaint_id)
        return _page(request, tracking, link, current, refusal=reason, status_code=err.status_code)
    response = RedirectResponse(f"/track/{link}?done=1", status_code=303)
    response.headers.update(SECURITY_HEADERS)
    return response


# --- reading the link and the form ---------------------------------------------------------------


async def _open(request: Request, link: str) -> tuple[TrackingLinks, str, ComplaintView]:
    """The link's complaint as it stands now (the workflow's query: the journal may lag)."""
    tracking: TrackingLinks | None = request.app.state.tracking
    complaint_id = tracking.complaint_of(link) if tracking is not None else None
    if tracking is None or complaint_id is None:
        raise Gone
    view = await _read(request, complaint_id)
    if not open_to_customer(view, datetime.now(UTC)):
        raise Gone
    return tracking, complaint_id, view


def open_to_customer(view: ComplaintView, now: datetime) -> bool:
    """Active, or resolved and still within its reopen window."""
    if view.status in ACTIVE:
        return True
    return (
        view.status is ComplaintStatus.RESOLVED
        and view.reopen_until is not None
        and now < view.reopen_until
    )


async def _form(request: Request) -> dict[str, str]:
    try:
        text = (await request.body()).decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return {}
    data: dict[str, str] = {}
    for name, value in pairs:
        data.setdefault(name, value)
    return data


def _command(action: str, data: Mapping[str, str]) -> Any:
    """A function of the customer giving the command the form asks for; its body validated."""
    body: BaseModel
    kind: type[Command]
    match action:
        case "accept":
            body, kind = FeedbackRequest(decision="accept"), CustomerFeedback
        case "reject":
            reason = data.get("reason") or None
            body, kind = FeedbackRequest(decision="reject", reason=reason), CustomerFeedback
        case "message":
            body, kind = (
                ContactRequest.model_validate({"note": data.get("note", "")}),
                RecordContact,
            )
        case _:
            body, kind = ReopenRequest.model_validate({"reason": data.get("reason", "")}), Reopen
    return lambda customer: kind.from_request(body, customer.actor)


def _customer(request: Request, view: ComplaintView) -> Principal:
    """The complaint's customer, as their own bearer token would name them."""
    auth: Authenticator = request.app.state.authenticator
    customer = view.intake.customer
    return Principal(
        role=ActorRole.CUSTOMER, subject=auth.customer_id_of(customer), name=customer.name
    )


# --- the page ------------------------------------------------------------------------------------


def _page(
    request: Request,
    tracking: TrackingLinks,
    link: str,
    view: ComplaintView,
    done: bool = False,
    errors: Mapping[str, str] | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    policies: PolicySet = request.app.state.policies
    policy = policies.for_brand(view.intake.brand)
    context = page_context(view, policy, datetime.now(UTC))
    context |= {
        "link": link,
        "csrf_field": CSRF_FIELD,
        "csrf": tracking.csrf_for(link),
        "done": done,
        "errors": errors or {},
        "refusal": refusal,
    }
    return _render(request, "track.html", context, status_code)


def page_context(view: ComplaintView, policy: EscalationPolicy, now: datetime) -> dict[str, Any]:
    """What the tracking page shows: only what `for_customer` leaves, in the complaint's
    language, times in its zone."""
    public = for_customer(view)
    locale = policy.notifications.locale_for(view.intake.country)
    language = language_of(locale)
    zone = zone_name_for(policy, view.intake.country, None)
    words = LABELS[language]

    def when(at: datetime | None) -> str | None:
        return _when(at, zone, locale) if at else None

    level = policy.level(view.level) if view.level <= policy.top else None
    promise = span_words(level.resolution_window.text, locale) if level is not None else None
    cases = [
        words["promise_by"].format(
            promise=span_words(case.promise, locale), at=when(case.promise_due)
        )
        for case in public.cases
        if case.active and case.promise and case.promise_due
    ]
    resolved = public.status is ComplaintStatus.RESOLVED
    return {
        "lang": locale,
        "t": words,
        "title": words["title"].format(id=view.id),
        "view": public,
        "about": words["about"].format(product=view.intake.product, reason=view.intake.reason),
        "status": STATUS[language][public.status],
        "level": f"{public.level} · {public.level_name}",
        "handled_by": role_words(public.owner_role, language),
        "deadline": when(public.deadline) if public.status in CLOCK_RUNS else None,
        "no_deadline": words["no_deadline"].format(why=STATUS[language][public.status])
        if public.status in ACTIVE and public.status not in CLOCK_RUNS
        else None,
        "promise": promise,
        "case_promises": cases,
        "decide_by": when(public.decision_due_at)
        if public.status is ComplaintStatus.AWAITING_CUSTOMER
        else None,
        "reopen_until": when(public.reopen_until) if resolved else None,
        "opened": when(public.opened_at),
        "proposal": public.pending_resolution
        if public.status is ComplaintStatus.AWAITING_CUSTOMER
        else None,
        "may_write": public.status in ACTIVE,
        "may_reopen": resolved and open_to_customer(public, now),
        "history": [_step(step, language, when, locale, zone) for step in reversed(public.history)],
        "footer": words["footer"].format(zone=zone),
    }


def _step(step: Step, language: str, when: Any, locale: str, zone: str) -> dict[str, Any]:
    speaker = speaker_for(locale, zone, in_case=step.case is not None)
    return {
        "when": when(step.at),
        "iso": step.at.isoformat(),
        "who": actor_words(step.actor.role, language),
        "what": step_words(step.kind, language),
        "reason": speaker.say(step.reason),  # the engine's words in the page's language
        "text": step.text,
    }


def _when(at: datetime, zone: str, locale: str) -> str:
    """A moment in the complaint's zone and language: `martes, 2 de diciembre de 2026, 10:15`."""
    babel_locale = Locale.parse(locale.replace("-", "_"))
    tz = ZoneInfo(zone)
    local = at.astimezone(tz)
    day = format_date(local, "full", locale=babel_locale)
    return f"{day}, {format_time(local, 'short', tzinfo=tz, locale=babel_locale)}"


def _render(
    request: Request, template: str, context: Mapping[str, Any], status_code: int
) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, template, dict(context), status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def _refusal(request: Request, status_code: int, view: ComplaintView) -> HTMLResponse:
    policies: PolicySet = request.app.state.policies
    locale = policies.for_brand(view.intake.brand).notifications.locale_for(view.intake.country)
    language = language_of(locale)
    messages = {
        "en": "This form cannot be accepted: it did not carry the page's security token. "
        "Nothing was changed: open your link again and send it from there.",
        "es": "No se puede aceptar este formulario: no traía el código de seguridad de la "
        "página. No se cambió nada: abra su enlace de nuevo y envíelo desde ahí.",
    }
    context = {
        "lang": locale,
        "t": LABELS[language],
        "title": LABELS[language]["refused"],
        "message": messages[language],
    }
    return _render(request, "refusal.html", context, status_code)


async def _read(request: Request, complaint_id: str) -> ComplaintView:
    try:
        return await read_complaint(request.app.state.temporal_client, complaint_id)
    except HTTPException as err:
        raise (Unavailable if err.status_code == 503 else Gone) from None


async def _unavailable_page(request: Request, exc: Exception) -> Response:
    en, es = LABELS["en"], LABELS["es"]
    context = {
        "lang": "en",
        "t": en,
        "title": f"{en['unavailable_title']} / {es['unavailable_title']}",
        "message": f"{en['unavailable']} / {es['unavailable']}",
    }
    response = _render(request, "refusal.html", context, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


async def _gone_page(request: Request, exc: Exception) -> Response:
    words = LABELS["en"]
    context = {
        "lang": "en",
        "t": words,
        "title": words["gone_title"],
        "message": f"{words['gone']} / {LABELS['es']['gone']}",
    }
    return _render(request, "refusal.html", context, 404)
