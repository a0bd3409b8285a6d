"""Attack: tokens that live too long or bend the claims' types (issue 13)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from api.cli import main as complaints
from api.credentials import Authenticator, InvalidCredentials
from harness.credentials import CUSTOMER_ID_SECRET, JWT_SECRET, TEST_AUTH, auth_settings

NOW = datetime.now(UTC)
H = timedelta(hours=1)


def token(**claims: Any) -> str:
    return jwt.encode({"sub": "priya", "role": "agent", **claims}, JWT_SECRET, "HS256")


def check(token: str, **settings: Any) -> None:
    Authenticator.from_settings(auth_settings(**settings) if settings else TEST_AUTH).from_token(
        token
    )


def test_a_token_lives_at_most_the_configured_lifetime() -> None:
    check(token(iat=NOW, exp=NOW + 12 * H))
    with pytest.raises(InvalidCredentials, match="longer than the 12:00:00 allowed"):
        check(token(iat=NOW, exp=NOW + 13 * H))
    with pytest.raises(InvalidCredentials, match="longer than"):  # no iat: counted from now
        check(token(exp=NOW + 13 * H))
    check(token(iat=NOW, exp=NOW + 48 * H), max_token_lifetime=timedelta(days=2))


def test_an_issue_time_in_the_past_does_not_stretch_the_lifetime() -> None:
    with pytest.raises(InvalidCredentials, match="longer than"):
        check(token(iat=NOW - 30 * 24 * H, exp=NOW + H))


@pytest.mark.parametrize("exp", [str(int((NOW + H).timestamp())), True, None, "soon"])
def test_exp_must_be_a_number(exp: object) -> None:
    with pytest.raises(InvalidCredentials):
        check(token(iat=NOW, exp=exp))


def test_the_token_command_refuses_a_lifetime_the_api_would_refuse(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COMPLAINTS_JWT_SECRET", JWT_SECRET)
    monkeypatch.setenv("COMPLAINTS_CUSTOMER_ID_SECRET", CUSTOMER_ID_SECRET)
    monkeypatch.delenv("COMPLAINTS_MAX_TOKEN_LIFETIME", raising=False)
    assert complaints(["token", "--role", "agent", "--sub", "priya", "--ttl", "13h"]) == 2
    assert "longer than the 12:00:00 the API accepts" in capsys.readouterr().err
    assert complaints(["token", "--role", "agent", "--sub", "priya", "--ttl", "12h"]) == 0
