"""Who is at the desk: a signed session cookie from a sign-in link, or the SSO proxy's bearer
token; and the CSRF token every form carries.

The session is a cookie the server keeps nothing of: the signed-in person (role, subject, name),
a random session id and when it ends, signed with COMPLAINTS_SESSION_SECRET (itsdangerous). It
lasts `session_lifetime` from sign-in, never longer (it is written once, not renewed), however
long the sign-in token lived. A form's CSRF token is an HMAC of the session id (or, behind the
SSO proxy, of the person), so it needs no storage and dies with the session.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from api.credentials import (
    CLOCK_SKEW,
    MIN_SECRET_BYTES,
    AuthConfigError,
    Authenticator,
    AuthSettings,
    InvalidCredentials,
    Principal,
)
from domain.history import ActorRole

SESSION_COOKIE = "desk_session"
FLASH_COOKIE = "desk_flash"
COOKIE_PATH = "/desk"
CSRF_FIELD = "csrf_token"
FLASH_LIFETIME = timedelta(minutes=2)
"""A message shown after a redirect is dropped if the next page does not come soon."""


class DeskRefusal(Exception):
    """A desk request refused: a page with this status, title and message."""

    def __init__(
        self, status: int, title: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class DeskUser:
    """The signed-in person and how: by the desk's session cookie or the SSO proxy's token."""

    principal: Principal
    via: Literal["session", "bearer"]
    session_id: str
    """Random per sign-in; empty behind the SSO proxy."""
    expires_at: datetime | None
    """When the session ends; None behind the SSO proxy (its token decides)."""
    csrf: str

    @property
    def name(self) -> str:
        return self.principal.name or self.principal.subject


@dataclass(frozen=True)
class DeskKeys:
    """The desk's signing keys and lifetimes, from the API's authentication settings."""

    sessions: URLSafeTimedSerializer
    flashes: URLSafeTimedSerializer
    csrf_key: bytes
    lifetime: timedelta
    sign_in_token_max_lifetime: timedelta

    @classmethod
    def from_settings(cls, settings: AuthSettings) -> "DeskKeys":
        """Refuses to start without a strong COMPLAINTS_SESSION_SECRET, saying what to set."""
        if settings.session_secret is None:
            raise AuthConfigError(
                "set COMPLAINTS_SESSION_SECRET (32+ random bytes): the case desk signs its "
                "session cookies and form tokens with it"
            )
        secret = settings.session_secret.get_secret_value().encode()
        if len(secret) < MIN_SECRET_BYTES:
            raise AuthConfigError(
                f"COMPLAINTS_SESSION_SECRET must be at least {MIN_SECRET_BYTES} bytes long"
            )
        return cls(
            sessions=URLSafeTimedSerializer(secret, salt="desk-session"),
            flashes=URLSafeTimedSerializer(secret, salt="desk-flash"),
            csrf_key=hmac.new(secret, b"desk-csrf", hashlib.sha256).digest(),
            lifetime=settings.session_lifetime,
            sign_in_token_max_lifetime=settings.sign_in_token_max_lifetime,
        )

    # --- sessions --------------------------------------------------------------------------

    def sign_in(self, auth: Authenticator, token: str, now: datetime) -> tuple[DeskUser, str]:
        """A new session for the holder of a short-lived staff token, and its cookie value."""
        try:
            principal = auth.from_token(token)
        except InvalidCredentials as err:
            raise DeskRefusal(401, "That sign-in link does not work", str(err)) from None
        refuse_customers(principal)
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
        issued = claims.get("iat", now.timestamp())
        lives = timedelta(seconds=claims["exp"] - issued)
        if lives > self.sign_in_token_max_lifetime + CLOCK_SKEW:
            raise DeskRefusal(
                400,
                "That token is too long-lived for a sign-in link",
                f"It lives {lives}; a sign-in link takes tokens of at most "
                f"{self.sign_in_token_max_lifetime} (a link ends up in browser history and "
                "logs). Mint one with `complaints token --ttl 10m`, or run `make tokens`.",
            )
        session_id = secrets.token_urlsafe(16)
        expires_at = now + self.lifetime
        cookie = self.sessions.dumps(
            {
                "role": principal.role.value,
                "sub": principal.subject,
                "name": principal.name,
                "sid": session_id,
                "exp": int(expires_at.timestamp()),
            }
        )
        return self._user(principal, "session", session_id, expires_at), cookie

    def from_cookie(self, cookie: str, now: datetime) -> DeskUser | None:
        """The session of a cookie, or None when it is forged, expired or unreadable."""
        try:
            data = self.sessions.loads(cookie, max_age=int(self.lifetime.total_seconds()))
            expires_at = datetime.fromtimestamp(data["exp"], UTC)
            principal = Principal(
                role=ActorRole(data["role"]), subject=data["sub"], name=data["name"]
            )
            session_id = str(data["sid"])
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
        if now >= expires_at:
            return None
        return self._user(principal, "session", session_id, expires_at)

    def from_bearer(self, principal: Principal) -> DeskUser:
        """The person the SSO proxy vouches for on this request."""
        return self._user(principal, "bearer", "", None)

    def _user(
        self,
        principal: Principal,
        via: Literal["session", "bearer"],
        session_id: str,
        expires_at: datetime | None,
    ) -> DeskUser:
        bound = f"{via}|{session_id}|{principal.role}|{principal.subject}".encode()
        csrf = hmac.new(self.csrf_key, bound, hashlib.sha256).hexdigest()
        return DeskUser(principal, via, session_id, expires_at, csrf)

    # --- flash messages --------------------------------------------------------------------

    def flash(self, response: Response, request: Request, message: str, kind: str) -> None:
        """Show `message` on the next desk page (after a redirect)."""
        value = self.flashes.dumps({"message": message, "kind": kind})
        set_cookie(response, request, FLASH_COOKIE, value, FLASH_LIFETIME)

    def take_flash(self, request: Request) -> dict[str, str] | None:
        value = request.cookies.get(FLASH_COOKIE)
        if not value:
            return None
        try:
            data = self.flashes.loads(value, max_age=int(FLASH_LIFETIME.total_seconds()))
        except BadSignature:
            return None
        return {"message": str(data["message"]), "kind": str(data["kind"])}


def refuse_customers(principal: Principal) -> None:
    """The desk is the staff's: a customer files and follows complaints through the API."""
    if principal.role is ActorRole.CUSTOMER:
        raise DeskRefusal(
            403,
            "The desk is for staff",
            "Customers follow their complaints through the app or the API; the case desk is "
            "for agents, supervisors and admins.",
        )


def csrf_matches(user: DeskUser, sent: str | None) -> bool:
    return sent is not None and hmac.compare_digest(user.csrf, sent)


def set_cookie(
    response: Response, request: Request, name: str, value: str, lifetime: timedelta
) -> None:
    """HttpOnly, SameSite=Strict, scoped to /desk; Secure when the request came over HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=int(lifetime.total_seconds()),
        path=COOKIE_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )


def forget_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(
        name,
        path=COOKIE_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
