"""The case desk's pages: sign-in, home, a complaint with its actions, registering a complaint.

Server-rendered (Jinja2), every asset served by the app, every form working without JavaScript.
Actions and filings go through the API's own code (`act_on_complaint`, `file_intake`) under the
signed-in person, so the history records them by name and refuses them with the API's reasons.
"""

import asyncio
import re
import secrets
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from api.desk.access import (
    User,
    authenticator,
    form_data,
    keys,
    limited,
    limiter,
    policies,
    temporal,
)
from api.desk.case_page import case_context, messages_context
from api.desk.forms import ActionForm, errors_by_field, forms_for, read_posted
from api.desk.live import events_for, last_event_id, live_feed
from api.desk.queue import queue_context, read_filters
from api.desk.register import REGISTER_FIELDS, intake_from, register_context
from api.desk.session import (
    CSRF_FIELD,
    FLASH_COOKIE,
    SESSION_COOKIE,
    DeskRefusal,
    DeskUser,
    forget_cookie,
    set_cookie,
)
from api.journal import case_journal
from api.routers.complaints import file_intake
from api.schemas import IntakePending
from api.temporal import act_on_complaint, not_found, read_complaint
from domain.engine_room import actor_name, step_words
from domain.view import ComplaintView

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
COMPLAINT_ID = re.compile(r"^[a-z0-9]{1,64}$")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
"""Every desk page: assets from the app alone, never framed, no referrer (a sign-in link's token
must not leave in one), never cached (they show customers' details)."""

router = APIRouter(prefix="/desk", include_in_schema=False)


def install(app: FastAPI) -> None:
    """Mount the desk on the API's app: its pages, its static files, its refusal pages."""
    app.include_router(router)
    app.mount("/desk/static", StaticFiles(directory=HERE / "static"), name="desk-static")
    app.add_exception_handler(DeskRefusal, _refusal_page)


# --- pages ---------------------------------------------------------------------------------------


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    user: DeskUser | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A desk page, with its security headers, and the message left by the last redirect."""
    flash = keys(request).take_flash(request) if user is not None else None
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {"user": user, "csrf_field": CSRF_FIELD, "flash": flash, **context},
        status_code=status_code,
    )
    response.headers.update(SECURITY_HEADERS)
    if flash is not None:
        forget_cookie(response, request, FLASH_COOKIE)
    return response


def redirect(request: Request, to: str, message: str | None = None, kind: str = "done") -> Response:
    """See other (303): after a post, the browser gets the page anew (POST-redirect-GET)."""
    response = RedirectResponse(to, status_code=303)
    response.headers.update(SECURITY_HEADERS)
    if message is not None:
        keys(request).flash(response, request, message, kind)
    return response


async def _refusal_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DeskRefusal)
    response = render(
        request,
        "refusal.html",
        {"title": exc.title, "message": exc.message, "status": exc.status},
        status_code=exc.status,
    )
    response.headers.update(exc.headers)
    return response


@router.get("/sign-in")
async def sign_in(request: Request, token: str | None = None) -> Response:
    """With `?token=`: a session for the token's holder, then the desk. Without: how to sign in."""
    if token is None:
        return render(request, "sign_in.html", {"title": "Sign in"})
    rates = limiter(request)
    await limited(rates.request_from(request))
    await limited(rates.ensure_may_authenticate(request))
    now = datetime.now(UTC)
    try:
        user, cookie = keys(request).sign_in(authenticator(request), token, now)
    except DeskRefusal as refused:
        if refused.status == 401:
            await limited(rates.authentication_failed(request))
        raise
    response = redirect(request, "/desk", f"Signed in as {user.name} ({user.principal.role}).")
    set_cookie(response, request, SESSION_COOKIE, cookie, keys(request).lifetime)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, user: DeskUser = User) -> Response:
    await form_data(request, user)
    response = RedirectResponse("/desk/sign-in?signed_out=1", status_code=303)
    response.headers.update(SECURITY_HEADERS)
    forget_cookie(response, request, SESSION_COOKIE)
    return response


@router.get("")
async def home(request: Request, user: DeskUser = User) -> Response:
    """The queue, with its filters from the query string (a GET form: links keep them)."""
    return await _home(request, user)


@router.get("/events", response_class=EventSourceResponse)
async def live_events(request: Request, user: DeskUser = User) -> AsyncIterator[ServerSentEvent]:
    """The person's live notifications (server-sent events; `api.desk.live`)."""
    events = events_for(live_feed(request), user, last_event_id(request), datetime.now(UTC))
    async for event in events:
        yield event


@router.get("/open")
async def open_by_id(request: Request, id: str = "", user: DeskUser = User) -> Response:
    """The home page's "open a complaint" form."""
    complaint_id = id.strip().lower()
    if not COMPLAINT_ID.fullmatch(complaint_id):
        message = "A complaint id is 1 to 64 lower-case letters and digits, e.g. 3f9c2a7be41d0c55."
        context = {"open_error": message, "open_value": id}
        return await _home(request, user, context, status_code=422)
    return redirect(request, f"/desk/complaints/{complaint_id}")


@router.get("/complaints/new")
async def new_complaint(request: Request, user: DeskUser = User) -> Response:
    context = register_context(policies(request), user, {}, {}, secrets.token_urlsafe(16))
    return render(request, "register.html", context, user)


@router.post("/complaints")
async def register(request: Request, user: DeskUser = User) -> Response:
    """Files the form as `POST /complaints` does; a repeat opens the complaint it joined."""
    data = await form_data(request, user)
    values = {name: data.get(name, "") for name in REGISTER_FIELDS}
    key = data.get("idempotency_key") or secrets.token_urlsafe(16)

    def again(errors: dict[str, str], status_code: int) -> Response:
        context = register_context(policies(request), user, values, errors, key)
        return render(request, "register.html", context, user, status_code=status_code)

    try:
        intake = intake_from(values)
    except ValidationError as err:
        return again(_register_errors(err.errors()), 422)
    state = request.app.state
    try:
        filed = await file_intake(
            intake,
            user.principal,
            temporal(request),
            state.settings,
            policies(request),
            authenticator(request),
            limiter(request),
            idempotency_key=f"desk-{key}",
        )
    except RequestValidationError as err:
        return again(_register_errors(err.errors()), 422)
    except HTTPException as err:
        return again({"": str(err.detail)}, err.status_code)
    if isinstance(filed, IntakePending):
        return redirect(
            request,
            f"/desk/complaints/{filed.id}",
            f"Complaint {filed.id} is filed; the engine has not confirmed it yet: reload in "
            "a moment.",
            "warning",
        )
    view = filed.view
    if filed.repeat:
        message = (
            f"This customer already had complaint {view.id} open about this product: the "
            f"filing joined it as contact {view.contacts}."
        )
        return redirect(request, f"/desk/complaints/{view.id}", message, "warning")
    return redirect(request, f"/desk/complaints/{view.id}", f"Complaint {view.id} registered.")


@router.get("/complaints/{complaint_id}")
async def complaint_page(request: Request, complaint_id: str, user: DeskUser = User) -> Response:
    view = await _read(request, complaint_id, user)
    return await _case_page(request, user, view)


@router.post("/complaints/{complaint_id}/{action:path}")
async def act(request: Request, complaint_id: str, action: str, user: DeskUser = User) -> Response:
    """Send a form's command as the API's route does, under the signed-in person."""
    data = await form_data(request, user)
    view = await _read(request, complaint_id, user)
    policy = policies(request).for_brand(view.intake.brand)
    form = next(
        (
            form
            for form in forms_for(view, policy, user.principal.role)
            if form.path == action
            and all(data.get(name) == value for name, value in form.fixed.items())
        ),
        None,
    )  # flagging forms share a path: the playbook's case type, a hidden field, tells them apart
    if form is None:
        raise DeskRefusal(
            404, "No such action", f"There is no action {action!r} for you on this complaint."
        )
    posted = read_posted(form, data)
    if posted.errors:
        return await _case_page(request, user, view, form, posted.values, posted.errors, 422)
    await limited(limiter(request).action(user.principal))
    in_path = {"case_type": form.case_type} if _in_path(form) and form.case_type else {}
    signed = {"by_sub": user.principal.subject} if form.route.signed_by_sub else {}
    command = form.route.build(posted.body, user.principal.actor, **in_path, **signed)
    try:
        after = await act_on_complaint(temporal(request), complaint_id, command)
    except HTTPException as err:
        if err.status_code in (409, 422):
            detail: Any = err.detail  # 409: the reason; 422: FastAPI's list of field errors
            errors = (
                errors_by_field(detail, form.fields)
                if isinstance(detail, list)
                else {"": str(detail)}
            )
            current = await _read(request, complaint_id, user)
            return await _case_page(
                request, user, current, form, posted.values, errors, err.status_code
            )
        raise _refusal_of(err, "Not done") from None
    return redirect(request, f"/desk/complaints/{complaint_id}", _what_happened(after, user))


# --- helpers -------------------------------------------------------------------------------------


async def _home(
    request: Request,
    user: DeskUser,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The home page: registering, opening by id, and the queue the query string asks for."""
    now = datetime.now(UTC)
    filters = read_filters(request.query_params, user.principal, now)
    rows, total = await asyncio.to_thread(case_journal(request).queue, filters.query)
    queue = queue_context(rows, total, filters, request.url.query, now)
    if filters.errors and status_code == 200:
        status_code = 422
    page = {"title": "Case desk", "queue": queue, **(context or {})}
    if request.headers.get("hx-request") == "true" and status_code == 200:
        # The table's own refresh: the table alone (and the flash is left for a page).
        return render(request, "_queue.html", page)
    return render(request, "home.html", page, user, status_code=status_code)


async def _read(request: Request, complaint_id: str, user: DeskUser) -> ComplaintView:
    """The complaint, or 404 when there is none or it is another brand's than the person's."""
    if not COMPLAINT_ID.fullmatch(complaint_id):
        raise DeskRefusal(404, "No such complaint", f"{complaint_id!r} is not a complaint id.")
    try:
        view = await read_complaint(temporal(request), complaint_id)
    except HTTPException as err:
        raise _refusal_of(err, "No such complaint") from None
    if not user.principal.sees_brand(view.intake.brand):
        # As the API does: another brand's complaint is refused as an unknown one.
        raise DeskRefusal(404, "No such complaint", str(not_found(complaint_id).detail))
    return view


async def _case_page(
    request: Request,
    user: DeskUser,
    view: ComplaintView,
    form: ActionForm | None = None,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    policy = policies(request).for_brand(view.intake.brand)
    posted = {"key": form.key, "values": values or {}, "errors": errors or {}} if form else None
    now = datetime.now(UTC)
    context = case_context(view, policy, user, now, posted)
    journaled = await asyncio.to_thread(case_journal(request).case, view.id)
    context["messages"] = messages_context(journaled, context["zone"], now)
    return render(request, "case.html", context, user, status_code=status_code)


def _refusal_of(err: HTTPException, title: str) -> DeskRefusal:
    """The API's refusal as a desk page; the engine out of reach is said so, with Retry-After."""
    if err.status_code == 503:
        title = "Not available right now"
    return DeskRefusal(err.status_code, title, str(err.detail), dict(err.headers or {}))


def _in_path(form: ActionForm) -> bool:
    return "case_type" in form.route.path_parameters


def _what_happened(view: ComplaintView, user: DeskUser) -> str:
    """The flash after an action: the last step the person took, in words."""
    own = [step for step in view.history if step.actor == user.principal.actor]
    if not own:
        return "Done."
    step = own[-1]
    return f"Done: {actor_name(step.actor)} {step_words(step.kind)}. Status: {_words(view.status)}."


def _words(value: str) -> str:
    return value.replace("_", " ")


def _register_errors(errors: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part != "body"]
        nested = loc[:1] in (["customer"], ["recorded_by"])
        name = ".".join(loc[:2]) if nested else ".".join(loc[:1])
        if name not in REGISTER_FIELDS and name not in ("customer", "recorded_by"):
            name = ""
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        found[name] = f"{found[name]} {message}" if name in found else message
    return found
