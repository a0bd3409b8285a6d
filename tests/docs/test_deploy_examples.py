"""The deployment examples in deploy/ and docs/deploy.md say what the code reads.

- deploy/temporal.toml loads with Temporal's envconfig, and each profile has the address,
  namespace, TLS files and API key the guide describes;
- deploy/complaints.env.example names every setting of the code (the pydantic settings classes,
  with their prefixes and nested delimiter) and nothing else, gives no secret a value, parses
  into the settings, and reads the same when a shell sources it;
- deploy/ui-server.env.example uses names the Temporal UI server knows, is read-only, passes the
  operator's token, and agrees with the other files on origins, issuer, address and namespace;
- deploy/systemd/ units start modules that exist, with the env files the guide installs;
- docs/deploy.md's search attribute commands are the current list
  (`UPDATE_DOCS=1 .venv/bin/pytest tests/docs/test_deploy_examples.py` rewrites them).
"""

import importlib
import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings
from temporalio.envconfig import ClientConfig, ClientConfigProfile

from activities.channels import ChannelSettings
from activities.crm_feed import CrmFeedSettings
from activities.email import SmtpSettings
from activities.tracking_links import TrackingSettings
from api.codec_server import CodecServerSettings
from api.credentials import AuthSettings
from api.rate_limits import RateLimiter
from api.settings import ApiSettings
from domain.history import ActorRole
from workflows.codec import CodecSettings
from workflows.search_attributes import SEARCH_ATTRIBUTES, TYPE_NAMES
from workflows.settings import EngineSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
GUIDE = ROOT / "docs" / "deploy.md"
PROFILES = DEPLOY / "temporal.toml"
ENV_EXAMPLE = DEPLOY / "complaints.env.example"
UI_EXAMPLE = DEPLOY / "ui-server.env.example"
UNITS = DEPLOY / "systemd"

SETTINGS: tuple[type[BaseSettings], ...] = (
    EngineSettings,
    ApiSettings,
    AuthSettings,
    CodecSettings,
    CodecServerSettings,
    SmtpSettings,
    ChannelSettings,
    TrackingSettings,
    CrmFeedSettings,
)
"""Every settings class of the worker, the API and the codec server."""
OUR_PREFIXES = ("COMPLAINTS_", "SMTP_", "NOTIFY_", "ESCALATION_POLICY", "TEMPORAL_")
SECRET_URLS = {"NOTIFY_SMS_GATEWAY", "TEMPORAL_API_KEY"}
"""Secrets that are plain strings to the code: the SMS gateway URL carries its credentials."""

UI_SERVER_VARIABLES = {
    # temporalio/ui-server docker/config-template.yaml: what the image turns into its config.
    *("TEMPORAL_ADDRESS", "TEMPORAL_UI_HOST", "TEMPORAL_UI_PORT", "TEMPORAL_UI_PUBLIC_PATH"),
    *("TEMPORAL_UI_ENABLED", "TEMPORAL_BANNER_TEXT", "TEMPORAL_CLOUD_UI"),
    *("TEMPORAL_DEFAULT_NAMESPACE", "TEMPORAL_FEEDBACK_URL", "TEMPORAL_NOTIFY_ON_NEW_VERSION"),
    *("TEMPORAL_CONFIG_REFRESH_INTERVAL", "TEMPORAL_SHOW_TEMPORAL_SYSTEM_NAMESPACE"),
    *("TEMPORAL_DISABLE_WRITE_ACTIONS", "TEMPORAL_WORKFLOW_TERMINATE_DISABLED"),
    *("TEMPORAL_WORKFLOW_CANCEL_DISABLED", "TEMPORAL_WORKFLOW_SIGNAL_DISABLED"),
    *("TEMPORAL_WORKFLOW_UPDATE_DISABLED", "TEMPORAL_WORKFLOW_RESET_DISABLED"),
    *("TEMPORAL_BATCH_ACTIONS_DISABLED", "TEMPORAL_START_WORKFLOW_DISABLED"),
    *("TEMPORAL_HIDE_WORKFLOW_QUERY_ERRORS", "TEMPORAL_REFRESH_WORKFLOW_COUNTS_DISABLED"),
    *("TEMPORAL_CSRF_COOKIE_INSECURE", "TEMPORAL_CORS_ORIGINS"),
    *("TEMPORAL_TLS_CA", "TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY", "TEMPORAL_TLS_CA_DATA"),
    *("TEMPORAL_TLS_CERT_DATA", "TEMPORAL_TLS_KEY_DATA", "TEMPORAL_TLS_ENABLE_HOST_VERIFICATION"),
    *("TEMPORAL_TLS_SERVER_NAME", "TEMPORAL_AUTH_ENABLED", "TEMPORAL_AUTH_LABEL"),
    *("TEMPORAL_AUTH_TYPE", "TEMPORAL_AUTH_PROVIDER_URL", "TEMPORAL_AUTH_ISSUER_URL"),
    *("TEMPORAL_AUTH_CLIENT_ID", "TEMPORAL_AUTH_CLIENT_SECRET", "TEMPORAL_AUTH_CALLBACK_URL"),
    *("TEMPORAL_AUTH_SCOPES", "TEMPORAL_CODEC_ENDPOINT", "TEMPORAL_CODEC_PASS_ACCESS_TOKEN"),
    *("TEMPORAL_CODEC_INCLUDE_CREDENTIALS", "TEMPORAL_FORWARD_HEADERS", "TEMPORAL_HIDE_LOGS"),
}

ASSIGNMENT = re.compile(r"^(?P<unset>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")
BEGIN = (
    "<!-- generated from workflows/search_attributes.py: "
    "UPDATE_DOCS=1 pytest tests/docs/test_deploy_examples.py -->"
)
END = "<!-- end of the generated commands -->"


@dataclass
class EnvFile:
    """`NAME=value` lines (set) and `# NAME=value` lines (named, left unset)."""

    values: dict[str, str] = field(default_factory=dict)
    unset: set[str] = field(default_factory=set)

    @property
    def names(self) -> set[str]:
        return set(self.values) | self.unset


def read_env_file(path: Path) -> EnvFile:
    """As systemd's EnvironmentFile= reads our files: one variable a line, single quotes removed."""
    env = EnvFile()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = ASSIGNMENT.match(line.strip())
        if match is None:
            continue
        name, value = match["name"], match["value"]
        assert name not in env.names, f"{path.name}: {name} appears twice"
        if match["unset"]:
            env.unset.add(name)
        else:
            quoted = len(value) >= 2 and value[0] == value[-1] == "'"
            env.values[name] = value[1:-1] if quoted else value
    return env


def env_names(settings: type[BaseSettings]) -> set[str]:
    """The environment variables a settings class reads: prefix and field, an alias, or one per
    field of a nested model (with the nested delimiter)."""
    prefix = settings.model_config.get("env_prefix", "")
    nested = settings.model_config.get("env_nested_delimiter")
    names: set[str] = set()
    for name, info in settings.model_fields.items():
        alias = info.validation_alias
        assert alias is None or isinstance(alias, str), f"{settings.__name__}.{name}: {alias!r}"
        variable = (alias or f"{prefix}{name}").upper()
        model = info.annotation
        if nested and isinstance(model, type) and issubclass(model, BaseModel):
            names |= {f"{variable}{nested}{sub}".upper() for sub in model.model_fields}
        else:
            names.add(variable)
    return names


def secret_names() -> set[str]:
    """Variables whose field is a SecretStr, plus the secrets the code takes as plain strings."""
    secrets = set(SECRET_URLS)
    for settings in SETTINGS:
        prefix = settings.model_config.get("env_prefix", "")
        for name, info in settings.model_fields.items():
            if SecretStr in (info.annotation, *getattr(info.annotation, "__args__", ())):
                secrets.add(f"{prefix}{name}".upper())
    return secrets


@pytest.fixture
def example_environment(monkeypatch: pytest.MonkeyPatch) -> EnvFile:
    """The process environment as the env example sets it, and nothing else of ours."""
    for name in list(os.environ):
        if name.upper().startswith(OUR_PREFIXES):
            monkeypatch.delenv(name)
    example = read_env_file(ENV_EXAMPLE)
    for name, value in example.values.items():
        monkeypatch.setenv(name, value)
    return example


# --- deploy/temporal.toml ---------------------------------------------------------------------


def test_the_profiles_load_and_say_what_the_guide_says() -> None:
    profiles = ClientConfig.load(config_source=PROFILES, config_file_strict=True).profiles
    assert set(profiles) == {"cluster", "cloud", "cloud-mtls"}

    cluster = profiles["cluster"]
    assert cluster.address == "temporal-frontend.internal.example.com:7233"
    assert cluster.namespace == "complaints"
    assert cluster.api_key is None
    assert cluster.tls is not None and not cluster.tls.disabled
    assert cluster.tls.server_name == "temporal-frontend.internal.example.com"
    assert cluster.tls.server_root_ca_cert == Path("/etc/complaints/tls/temporal-ca.pem")
    assert cluster.tls.client_cert == Path("/etc/complaints/tls/complaints-client.pem")
    assert cluster.tls.client_private_key == Path("/etc/complaints/tls/complaints-client.key")

    cloud = profiles["cloud"]
    assert cloud.address is not None and cloud.address.endswith(".api.temporal.io:7233")
    assert cloud.namespace == "complaints.a1b2c"
    assert cloud.api_key is None, "the API key comes from TEMPORAL_API_KEY, not the file"
    keyed = ClientConfigProfile.load(
        "cloud", config_source=PROFILES, override_env_vars={"TEMPORAL_API_KEY": "key-from-env"}
    )
    assert keyed.to_client_connect_config() == {
        "target_host": cloud.address,
        "namespace": "complaints.a1b2c",
        "api_key": "key-from-env",
        "tls": True,
    }

    mtls = profiles["cloud-mtls"]
    assert mtls.address == "complaints.a1b2c.tmprl.cloud:7233"
    assert mtls.namespace == "complaints.a1b2c"
    assert mtls.api_key is None
    assert mtls.tls is not None
    assert mtls.tls.client_cert == Path("/etc/complaints/tls/complaints-client.pem")
    assert mtls.tls.client_private_key == Path("/etc/complaints/tls/complaints-client.key")


# --- deploy/complaints.env.example ------------------------------------------------------------


def test_the_env_example_names_every_setting_and_nothing_else() -> None:
    named = {name for name in read_env_file(ENV_EXAMPLE).names if not name.startswith("TEMPORAL_")}
    read = set().union(*(env_names(settings) for settings in SETTINGS))
    assert sorted(read - named) == [], "settings the example does not name"
    assert sorted(named - read) == [], "names in the example that no setting reads"


def test_the_env_example_gives_no_secret_a_value() -> None:
    example = read_env_file(ENV_EXAMPLE)
    secrets = secret_names()
    assert {"COMPLAINTS_CODEC_KEYS", "COMPLAINTS_CUSTOMER_ID_SECRET", "SMTP_PASSWORD"} <= secrets
    assert sorted(secrets & set(example.values)) == []
    assert sorted(secrets - example.unset) == [], "secrets the example does not name"


def test_the_env_example_values_are_settings_the_code_takes(example_environment: EnvFile) -> None:
    values = example_environment.values
    api = ApiSettings()
    assert api.task_queue == values["COMPLAINTS_TASK_QUEUE"]
    assert api.escalation_policy == Path(values["ESCALATION_POLICY"])
    assert api.cors_origins == json.loads(values["COMPLAINTS_CORS_ORIGINS"])
    assert api.rate_limits.filing == values["COMPLAINTS_RATE_LIMITS__FILING"]
    assert api.rate_limits.enabled
    RateLimiter.from_settings(api.rate_limits)  # every window parses
    assert EngineSettings().task_queue == api.task_queue

    auth = AuthSettings()
    assert auth.jwt_public_key_file == Path(values["COMPLAINTS_JWT_PUBLIC_KEY_FILE"])
    assert auth.jwt_secret is None and auth.customer_id_secret is None  # secrets: elsewhere
    assert auth.max_token_lifetime.total_seconds() == 12 * 3600

    server = CodecServerSettings()
    assert server.require_token
    assert server.roles == [ActorRole.SUPERVISOR, ActorRole.ADMIN]
    assert all(urlsplit(origin).scheme == "https" for origin in server.ui_origins)
    assert CodecSettings().keys is None

    smtp = SmtpSettings()
    assert (smtp.host, smtp.port) == (values["SMTP_HOST"], int(values["SMTP_PORT"]))
    assert (smtp.start_tls, smtp.use_tls) == (True, False)
    channels = ChannelSettings()
    assert channels.sms_gateway is None
    assert channels.sent_ledger == Path("/var/lib/complaints/sent-notifications.sqlite3")


def test_the_env_example_selects_a_profile_of_the_profile_file() -> None:
    temporal = {
        name: value
        for name, value in read_env_file(ENV_EXAMPLE).values.items()
        if name.startswith("TEMPORAL_")
    }
    assert Path(temporal["TEMPORAL_CONFIG_FILE"]).name == PROFILES.name
    as_installed = {**temporal, "TEMPORAL_CONFIG_FILE": str(PROFILES)}
    profile = ClientConfigProfile.load(override_env_vars=as_installed)
    assert profile == ClientConfig.load(config_source=PROFILES).profiles["cluster"]


def test_every_temporal_variable_of_the_env_example_is_one_envconfig_reads() -> None:
    example = read_env_file(ENV_EXAMPLE)
    nothing = ClientConfigProfile.load(disable_file=True, override_env_vars={})
    for name in sorted(n for n in example.names if n.startswith("TEMPORAL_")):
        if name in ("TEMPORAL_CONFIG_FILE", "TEMPORAL_PROFILE"):
            continue  # which file and profile: the test above
        value = example.values.get(name, "example-value")
        loaded = ClientConfigProfile.load(disable_file=True, override_env_vars={name: value})
        assert loaded != nothing, f"{name} changes nothing envconfig loads"


def test_a_shell_reads_the_env_example_as_systemd_does() -> None:
    bash = shutil.which("bash")
    assert bash is not None
    script = f"set -a; . {shlex.quote(str(ENV_EXAMPLE))}; set +a; env -0"
    run = subprocess.run([bash, "-c", script], env={}, capture_output=True, check=True)
    sourced = dict(entry.split("=", 1) for entry in run.stdout.decode().split("\0") if entry)
    example = read_env_file(ENV_EXAMPLE)
    assert {name: sourced.get(name) for name in example.values} == example.values
    assert sorted(example.unset & set(sourced)) == []


# --- deploy/ui-server.env.example -------------------------------------------------------------


def test_the_ui_server_example_is_read_only_single_sign_on_and_decodes_with_tokens() -> None:
    ui = read_env_file(UI_EXAMPLE)
    assert sorted(ui.names - UI_SERVER_VARIABLES) == [], "names the UI server does not read"
    values = ui.values
    assert not [v for v in values.values() if v[:1] in "'\""], "docker --env-file keeps quotes"
    assert values["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    assert values["TEMPORAL_AUTH_ENABLED"] == "true"
    assert values["TEMPORAL_AUTH_TYPE"] == "oidc"
    assert values["TEMPORAL_CODEC_PASS_ACCESS_TOKEN"] == "true"
    assert urlsplit(values["TEMPORAL_CODEC_ENDPOINT"]).scheme == "https"
    assert "TEMPORAL_AUTH_CLIENT_SECRET" not in values


def test_the_ui_server_example_agrees_with_the_codec_server_and_the_cluster() -> None:
    ui = read_env_file(UI_EXAMPLE).values
    complaints = read_env_file(ENV_EXAMPLE).values
    callback = urlsplit(ui["TEMPORAL_AUTH_CALLBACK_URL"])
    origin = f"{callback.scheme}://{callback.netloc}"
    assert callback.path == "/auth/sso/callback"
    assert origin in json.loads(complaints["COMPLAINTS_CODEC_SERVER_UI_ORIGINS"])
    assert origin in ui["TEMPORAL_CORS_ORIGINS"].split(",")
    assert ui["TEMPORAL_AUTH_ISSUER_URL"] == complaints["COMPLAINTS_JWT_ISSUER"]
    cluster = ClientConfig.load(config_source=PROFILES).profiles["cluster"]
    assert cluster.tls is not None
    assert ui["TEMPORAL_ADDRESS"] == cluster.address
    assert ui["TEMPORAL_DEFAULT_NAMESPACE"] == cluster.namespace
    assert ui["TEMPORAL_TLS_SERVER_NAME"] == cluster.tls.server_name


# --- deploy/systemd ---------------------------------------------------------------------------


def unit_settings(path: Path) -> dict[str, list[str]]:
    """`Key=value` lines of a unit file, every value of a repeated key."""
    found: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@pytest.mark.parametrize(
    ("unit", "target"),
    [
        ("complaints-worker.service", "worker.py"),
        ("complaints-api.service", "api.main:app"),
        ("complaints-codec.service", "api.codec_server:app"),
    ],
)
def test_the_units_start_what_the_repository_has(unit: str, target: str) -> None:
    settings = unit_settings(UNITS / unit)
    command = shlex.split(settings["ExecStart"][0])
    assert target in command
    if target.endswith(".py"):
        assert (ROOT / target).is_file()
    else:
        module, attribute = target.split(":")
        app: Any = getattr(importlib.import_module(module), attribute)
        assert callable(app)
    assert settings["WorkingDirectory"] == ["/opt/complaints"]
    assert "/etc/complaints/complaints.env" in settings["EnvironmentFile"]
    assert len(settings["EnvironmentFile"]) == 2, "settings and the secrets beside them"


def test_the_worker_unit_gives_the_sent_ledger_its_state_directory() -> None:
    state = unit_settings(UNITS / "complaints-worker.service")["StateDirectory"]
    ledger = Path(read_env_file(ENV_EXAMPLE).values["NOTIFY_SENT_LEDGER"])
    assert ledger.parent == Path("/var/lib") / state[0]


# --- docs/deploy.md ---------------------------------------------------------------------------


def search_attribute_commands() -> str:
    """Self-hosted: one CLI command per attribute; Cloud: one tcld command with them all."""
    types = [(key.name, TYPE_NAMES[key.indexed_value_type]) for key in SEARCH_ATTRIBUTES]
    cloud = ClientConfig.load(config_source=PROFILES).profiles["cloud"].namespace
    cluster = [
        f"temporal operator search-attribute create --name {name} --type {kind}"
        for name, kind in types
    ]
    tcld = [
        f"tcld namespace search-attributes add --namespace {cloud}",
        *(f"  --search-attribute {name}={kind}" for name, kind in types),
    ]
    return "\n".join(
        [
            "```bash",
            *cluster,
            "temporal operator search-attribute list",
            "```",
            "",
            "On Temporal Cloud, with `tcld` logged in to the account:",
            "",
            "```bash",
            " \\\n".join(tcld),
            "```",
        ]
    )


def test_the_guide_registers_the_current_search_attributes() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, f"{GUIDE} lost the markers of its generated commands"
    head, rest = text.split(BEGIN)
    tail = rest.split(END)[1]
    expected = f"{head}{BEGIN}\n{search_attribute_commands()}\n{END}{tail}"
    if os.environ.get("UPDATE_DOCS"):
        GUIDE.write_text(expected, encoding="utf-8")
    assert text == expected, "docs/deploy.md's search attribute commands are stale: UPDATE_DOCS=1"


def test_the_guide_names_every_example_file() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    files = [path for path in DEPLOY.rglob("*") if path.is_file()]
    assert files
    unnamed = [
        str(path.relative_to(ROOT))
        for path in files
        if str(path.relative_to(ROOT)) not in text and path.parent != UNITS
    ]
    assert unnamed == []
    assert "deploy/systemd/" in text
