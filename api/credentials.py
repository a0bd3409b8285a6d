"""Who is calling: bearer JWTs for people, API keys for systems, and the settings for both."""

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import jwt
import yaml
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StrictFloat,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.history import Actor, ActorRole
from domain.identity import CUSTOMER_ID_PREFIX, customer_id
from domain.intake import Customer
from domain.messages import DEFAULT_BRAND

MIN_SECRET_BYTES = 32
"""HS256 keys shorter than the hash are weak (RFC 7518 §3.2); the customer id secret likewise."""
CLOCK_SKEW = timedelta(seconds=30)
"""Leeway for `exp` (and `nbf`, `iat`) between the token issuer's clock and ours."""
CUSTOMER_ID_PATTERN = rf"^{CUSTOMER_ID_PREFIX}[0-9a-f]{{32}}$"

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
BrandKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
"""A brand's key: its policy file's name without `.yaml` (`xiaomi-in`), as filings name it."""
Brands = Annotated[tuple[BrandKey, ...], Field(min_length=1, max_length=100)]
"""The brands a caller is confined to; none given (no claim) means every brand."""
PersonRole = Literal["customer", "agent", "supervisor", "admin"]
SystemRole = Literal["agent", "supervisor", "admin"]


class AuthSettings(BaseSettings):
    """How callers prove who they are; COMPLAINTS_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_")

    jwt_secret: SecretStr | None = None
    """HS256 key for bearer tokens (at least 32 bytes); `complaints token` signs with it."""
    jwt_public_key_file: Path | None = None
    """PEM file of the RSA public key that checks RS256 bearer tokens from an identity provider."""
    jwt_issuer: str | None = None
    """When set, tokens must carry this `iss`."""
    jwt_audience: str | None = None
    """When set, tokens must carry this `aud`."""
    api_keys_file: Path | None = None
    """YAML or JSON list of {name, role, sha256, brands?} for systems calling with `X-API-Key`."""
    customer_id_secret: SecretStr | None = None
    """HMAC key of customer ids (at least 32 bytes); a customer token's `sub` is their id."""
    max_token_lifetime: timedelta = Field(default=timedelta(hours=12), gt=timedelta(0))
    """Bearer tokens living longer (from `iat`, or from now without one) are refused."""
    session_secret: SecretStr | None = None
    """Key (32+ bytes) signing the case desk's session cookies and form tokens; the API needs it."""
    session_lifetime: timedelta = Field(default=timedelta(hours=8), gt=timedelta(0))
    """How long a desk session lasts from sign-in, however long the sign-in token lived."""
    sign_in_token_max_lifetime: timedelta = Field(default=timedelta(minutes=15), gt=timedelta(0))
    """A desk sign-in link (`/desk/sign-in?token=`) takes only tokens living at most this long:
    a link's token ends up in browser history and proxy logs."""


class AuthConfigError(ValueError):
    """The authentication settings cannot protect the API; the message says what to set."""


class InvalidCredentials(Exception):
    """The credentials are malformed, unknown, expired or wrongly signed."""


class Claims(BaseModel):
    """What a bearer token says about its holder."""

    sub: Name
    role: PersonRole
    name: Name | None = None
    exp: StrictInt | StrictFloat
    """A number, as RFC 7519 says: `"1767225600"` is refused."""
    iat: StrictInt | StrictFloat | None = None
    brands: Brands | None = None
    """Brand keys the holder works for: they see and act on only those brands' complaints."""


class ApiKey(BaseModel):
    """A system allowed to call with an API key; only the key's SHA-256 is stored."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    role: SystemRole
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$", to_lower=True)]
    brands: Brands | None = None
    """As a token's `brands` claim: the system sees and acts on only these brands' complaints."""


class Principal(BaseModel):
    """An authenticated caller."""

    model_config = ConfigDict(frozen=True)

    role: ActorRole
    subject: str
    """The customer id for a customer, the user for staff, the key's name for a system."""
    name: str | None = None
    brands: frozenset[str] | None = None
    """The brands whose complaints the caller sees and acts on; None: every brand."""

    @property
    def actor(self) -> Actor:
        """Who the complaint's history records: the caller's role and name."""
        return Actor(role=self.role, name=self.name or self.subject)

    def sees_brand(self, brand: str | None) -> bool:
        """Whether the caller may see and act on a complaint of this brand (None: the default
        policy's, which is the brand `default`)."""
        return self.brands is None or (brand or DEFAULT_BRAND) in self.brands


@dataclass(frozen=True)
class Authenticator:
    """Checks bearer tokens and API keys against the configured keys."""

    jwt_key: bytes | RSAPublicKey | None
    algorithm: Literal["HS256", "RS256"]
    issuer: str | None
    audience: str | None
    api_keys: tuple[ApiKey, ...]
    customer_id_secret: bytes
    max_token_lifetime: timedelta = timedelta(hours=12)

    @classmethod
    def from_settings(cls, settings: AuthSettings, customers: bool = True) -> "Authenticator":
        """Refuses settings that leave the API open or cannot work, saying what to set.

        `customers=False` for a service that never tells customers apart (the codec server):
        it needs no customer id secret."""
        secret = _secret(settings.jwt_secret, "COMPLAINTS_JWT_SECRET")
        customer_secret = _secret(settings.customer_id_secret, "COMPLAINTS_CUSTOMER_ID_SECRET")
        if secret is not None and settings.jwt_public_key_file is not None:
            raise AuthConfigError(
                "set either COMPLAINTS_JWT_SECRET (HS256) or COMPLAINTS_JWT_PUBLIC_KEY_FILE "
                "(RS256), not both"
            )
        public_key = (
            _public_key(settings.jwt_public_key_file) if settings.jwt_public_key_file else None
        )
        api_keys = _api_keys(settings.api_keys_file) if settings.api_keys_file else ()
        jwt_key = secret if secret is not None else public_key
        if jwt_key is None and not api_keys:
            raise AuthConfigError(
                "no way to authenticate is configured, and the API never runs open: set "
                "COMPLAINTS_JWT_SECRET (HS256) or COMPLAINTS_JWT_PUBLIC_KEY_FILE (RS256) for "
                "bearer tokens, and/or COMPLAINTS_API_KEYS_FILE for API keys"
            )
        if customer_secret is None and customers:
            raise AuthConfigError(
                "set COMPLAINTS_CUSTOMER_ID_SECRET: customers are told apart by ids derived "
                "with it, and filing checks the customer's email or phone against the caller"
            )
        return cls(
            jwt_key=jwt_key,
            algorithm="RS256" if public_key is not None else "HS256",
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            api_keys=api_keys,
            customer_id_secret=customer_secret or b"",
            max_token_lifetime=settings.max_token_lifetime,
        )

    def from_token(self, token: str) -> Principal:
        """The holder of a valid, unexpired bearer token."""
        if self.jwt_key is None:
            raise InvalidCredentials("bearer tokens are not accepted here; use an API key")
        required = [
            "exp",
            "sub",
            *(["iss"] if self.issuer else []),
            *(["aud"] if self.audience else []),
        ]
        try:
            payload = jwt.decode(
                token,
                self.jwt_key,
                algorithms=[self.algorithm],
                issuer=self.issuer,
                audience=self.audience,
                leeway=CLOCK_SKEW,
                options={"require": required},
            )
        except jwt.InvalidTokenError as err:
            raise InvalidCredentials(f"invalid token: {err}") from None
        try:
            claims = Claims.model_validate(payload)
        except ValidationError as err:
            raise InvalidCredentials(f"invalid token claims: {_first_error(err)}") from None
        issued = claims.iat if claims.iat is not None else datetime.now(UTC).timestamp()
        lifetime = timedelta(seconds=claims.exp - issued)
        if lifetime > self.max_token_lifetime + CLOCK_SKEW:
            raise InvalidCredentials(
                f"token lives {lifetime}, longer than the {self.max_token_lifetime} allowed "
                "(COMPLAINTS_MAX_TOKEN_LIFETIME)"
            )
        role = ActorRole(claims.role)
        if role is ActorRole.CUSTOMER and not _is_customer_id(claims.sub):
            raise InvalidCredentials("a customer token's sub must be a customer id (cus_…)")
        return Principal(
            role=role, subject=claims.sub, name=claims.name, brands=_scope(claims.brands)
        )

    def from_api_key(self, key: str) -> Principal:
        """The system holding this API key."""
        digest = hashlib.sha256(key.encode()).hexdigest()
        found: ApiKey | None = None
        for known in self.api_keys:  # every entry compared, in constant time each
            if hmac.compare_digest(known.sha256, digest):
                found = known
        if found is None:
            raise InvalidCredentials("unknown API key")
        return Principal(
            role=ActorRole(found.role),
            subject=found.name,
            name=found.name,
            brands=_scope(found.brands),
        )

    def customer_id_of(self, customer: Customer) -> str:
        """The id a customer's token carries as `sub`."""
        return customer_id(self.customer_id_secret, customer.email, customer.phone)

    def may_see(self, principal: Principal, customer: Customer) -> bool:
        """Staff see every complaint; a customer only their own."""
        return principal.role is not ActorRole.CUSTOMER or (
            hmac.compare_digest(self.customer_id_of(customer), principal.subject)
        )


def mint_token(
    settings: AuthSettings,
    subject: str,
    role: PersonRole,
    name: str | None = None,
    ttl: timedelta = timedelta(hours=8),
    now: datetime | None = None,
    brands: Sequence[str] = (),
) -> str:
    """A bearer token signed with COMPLAINTS_JWT_SECRET (RS256 tokens come from the provider)."""
    secret = _secret(settings.jwt_secret, "COMPLAINTS_JWT_SECRET")
    if secret is None:
        raise AuthConfigError(
            "minting tokens needs COMPLAINTS_JWT_SECRET (HS256); with "
            "COMPLAINTS_JWT_PUBLIC_KEY_FILE, tokens come from your identity provider"
        )
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {"sub": subject, "role": role, "iat": issued, "exp": issued + ttl}
    if name:
        claims["name"] = name
    if brands:
        claims["brands"] = list(brands)
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, secret, algorithm="HS256")


def _scope(brands: tuple[str, ...] | None) -> frozenset[str] | None:
    return frozenset(brands) if brands is not None else None


def _secret(value: SecretStr | None, variable: str) -> bytes | None:
    if value is None:
        return None
    secret = value.get_secret_value().encode()
    if len(secret) < MIN_SECRET_BYTES:
        raise AuthConfigError(f"{variable} must be at least {MIN_SECRET_BYTES} bytes long")
    return secret


def _public_key(path: Path) -> RSAPublicKey:
    where = f"COMPLAINTS_JWT_PUBLIC_KEY_FILE {path}"
    try:
        key = load_pem_public_key(path.read_bytes())
    except OSError as err:
        raise AuthConfigError(f"{where}: cannot read it: {err.strerror}") from None
    except ValueError:
        raise AuthConfigError(f"{where}: not a PEM public key") from None
    if not isinstance(key, RSAPublicKey):
        raise AuthConfigError(f"{where}: not an RSA public key (RS256 needs one)")
    return key


def _api_keys(path: Path) -> tuple[ApiKey, ...]:
    where = f"COMPLAINTS_API_KEYS_FILE {path}"
    try:
        entries = yaml.safe_load(path.read_text())
    except OSError as err:
        raise AuthConfigError(f"{where}: cannot read it: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise AuthConfigError(f"{where}: not YAML or JSON: {err}") from None
    try:
        keys = TypeAdapter(tuple[ApiKey, ...]).validate_python(entries)
    except ValidationError as err:
        raise AuthConfigError(
            f"{where}: expected a list of {{name, role, sha256, brands (optional)}}: "
            f"{_first_error(err)}"
        ) from None
    for field in ("name", "sha256"):
        values = [getattr(key, field) for key in keys]
        if len(set(values)) != len(values):
            raise AuthConfigError(f"{where}: two keys have the same {field}")
    return keys


def _first_error(err: ValidationError) -> str:
    error = err.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "value"
    return f"{where}: {error['msg']}"


def _is_customer_id(subject: str) -> bool:
    return re.fullmatch(CUSTOMER_ID_PATTERN, subject) is not None
