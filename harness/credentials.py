"""Authentication settings and bearer tokens with fixed secrets: the code the API and CLI use."""

from datetime import timedelta
from typing import Any

from pydantic import SecretStr

from api.credentials import AuthSettings, PersonRole, mint_token
from domain.identity import customer_id

JWT_SECRET = "test-jwt-secret-0123456789abcdef0123456789"
CUSTOMER_ID_SECRET = "test-customer-id-secret-0123456789abcdef"
SESSION_SECRET = "test-session-secret-0123456789abcdef01234"


def auth_settings(**changes: Any) -> AuthSettings:
    """Every setting given explicitly, so a developer's COMPLAINTS_* environment cannot leak in."""
    values: dict[str, Any] = {
        "jwt_secret": SecretStr(JWT_SECRET),
        "jwt_public_key_file": None,
        "jwt_issuer": None,
        "jwt_audience": None,
        "api_keys_file": None,
        "customer_id_secret": SecretStr(CUSTOMER_ID_SECRET),
        "max_token_lifetime": timedelta(hours=12),
        "session_secret": SecretStr(SESSION_SECRET),
        "session_lifetime": timedelta(hours=8),
        "sign_in_token_max_lifetime": timedelta(minutes=15),
    }
    return AuthSettings(**{**values, **changes})


TEST_AUTH = auth_settings()


def bearer(
    role: PersonRole,
    sub: str,
    name: str | None = None,
    ttl: timedelta = timedelta(hours=1),
    settings: AuthSettings = TEST_AUTH,
    brands: tuple[str, ...] = (),
) -> dict[str, str]:
    """An Authorization header for a staff member or system (for `brands` only, if given)."""
    token = mint_token(settings, sub, role, name, ttl, brands=brands)
    return {"Authorization": f"Bearer {token}"}


def customer_bearer(email: str | None, phone: str | None = None) -> dict[str, str]:
    """An Authorization header for the customer with this email (or phone)."""
    return bearer("customer", customer_id(CUSTOMER_ID_SECRET.encode(), email, phone))


ADMIN = bearer("admin", "root", ttl=timedelta(hours=12))
