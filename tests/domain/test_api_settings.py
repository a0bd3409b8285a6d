"""Settings and policies the API refuses to start with, checked without a server."""

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from api.credentials import AuthConfigError, Authenticator
from api.main import create_app
from api.settings import ApiSettings
from domain.policy_files import PolicyError
from harness.credentials import TEST_AUTH, auth_settings


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"jwt_secret": None}, "no way to authenticate is configured"),
        ({"jwt_secret": SecretStr("short")}, "COMPLAINTS_JWT_SECRET must be at least 32 bytes"),
        ({"customer_id_secret": None}, "set COMPLAINTS_CUSTOMER_ID_SECRET"),
        ({"jwt_public_key_file": Path("idp.pem")}, "not both"),
        (
            {"jwt_secret": None, "jwt_public_key_file": Path("/nonexistent.pem")},
            "/nonexistent.pem: cannot read it",
        ),
    ],
)
def test_settings_that_cannot_protect_the_api_are_refused(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(AuthConfigError, match=message):
        Authenticator.from_settings(auth_settings(**changes))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- name: crm\n  role: customer\n  sha256: " + "a" * 64, r"0\.role: Input should be"),
        ("- name: crm\n  role: agent\n  sha256: abc", r"0\.sha256: String should match"),
        ("name: crm", "expected a list"),
        ("[{", "not YAML or JSON"),
        (
            '[{"name": "a", "role": "agent", "sha256": "' + "a" * 64 + '"},'
            ' {"name": "b", "role": "admin", "sha256": "' + "A" * 64 + '"}]',
            "two keys have the same sha256",
        ),
    ],
)
def test_a_broken_api_keys_file_is_refused_naming_the_file_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    keys = tmp_path / "keys.yaml"
    keys.write_text(text)
    with pytest.raises(AuthConfigError, match=message) as refused:
        Authenticator.from_settings(auth_settings(api_keys_file=keys))
    assert str(keys) in str(refused.value)


async def test_the_app_refuses_to_start_without_a_way_to_authenticate() -> None:
    app = create_app(client=None, auth=auth_settings(jwt_secret=None))
    with pytest.raises(AuthConfigError, match="the API never runs open"):
        async with app.router.lifespan_context(app):
            pass


async def test_the_api_refuses_to_start_with_a_broken_policy(tmp_path: Path) -> None:
    (tmp_path / "default.yaml").write_text("levels: []\n")
    app = create_app(client=None, settings=ApiSettings(escalation_policy=tmp_path), auth=TEST_AUTH)
    with pytest.raises(PolicyError, match=r"default\.yaml:1: levels: Tuple should have at least 1"):
        async with app.router.lifespan_context(app):
            pass
