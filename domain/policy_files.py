"""Policy files: one YAML file per brand, `default.yaml` for complaints that name no brand."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import holidays as public_holidays
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from domain.messages import DEFAULT_BRAND
from domain.policy import EscalationPolicy
from domain.templates import TemplateCatalog, TemplateProblem

TEMPLATES = "templates"
SHIPPED_TEMPLATES = Path(__file__).parent.parent / "policy" / TEMPLATES
"""The templates that come with the engine, for policies that bring none of their own."""


class PolicyError(ValueError):
    """A policy file is wrong; the message names the file, key path, line and problem."""


class PolicySet(BaseModel):
    """Every brand's policy, by brand key (the file name without `.yaml`)."""

    model_config = ConfigDict(frozen=True)

    policies: dict[str, EscalationPolicy]

    def for_brand(self, brand: str | None) -> EscalationPolicy:
        """The brand's policy, or the default one for a complaint that names no brand."""
        key = brand or DEFAULT_BRAND
        if key not in self.policies:
            known = ", ".join(sorted(self.policies))
            raise KeyError(f"no policy for brand {key!r}; known brands: {known}")
        return self.policies[key]

    @property
    def brands(self) -> list[str]:
        return sorted(self.policies)


def load_policy_set(path: Path) -> PolicySet:
    """Load a directory of `*.yaml` policies, or one file (which then is the default)."""
    if path.is_file():
        policy_set = PolicySet(policies={DEFAULT_BRAND: load_policy_file(path)})
        check_templates(policy_set, load_templates(path))
        return policy_set
    if not path.is_dir():
        raise PolicyError(f"{path}: no such policy file or directory")
    files = sorted(path.glob("*.yaml"))
    if not files:
        raise PolicyError(f"{path}: no *.yaml policy files in this directory")
    policies = {file.stem: load_policy_file(file) for file in files}
    if DEFAULT_BRAND not in policies:
        raise PolicyError(f"{path}: needs a {DEFAULT_BRAND}.yaml for complaints with no brand")
    policy_set = PolicySet(policies=policies)
    check_templates(policy_set, load_templates(path))
    return policy_set


def load_templates(policy_path: Path) -> TemplateCatalog:
    """The message templates inside a policy directory (or beside a file), else the shipped ones."""
    root = (policy_path if policy_path.is_dir() else policy_path.parent) / TEMPLATES
    if not root.exists():
        root = SHIPPED_TEMPLATES
    try:
        return TemplateCatalog(root)
    except TemplateProblem as err:
        raise PolicyError(f"message templates: {err}") from None


def check_templates(policies: PolicySet, templates: TemplateCatalog) -> None:
    """Every message each brand can send renders in every language it uses."""
    for brand, policy in policies.policies.items():
        try:
            templates.check(brand, policy.locales_used)
        except TemplateProblem as err:
            raise PolicyError(f"policy {brand!r}: {err}") from None


def load_policy_file(path: Path) -> EscalationPolicy:
    return parse_policy(path.read_text(encoding="utf-8"), source=str(path))


def parse_policy(text: str, source: str) -> EscalationPolicy:
    """Validate one policy document; stamp it with its content hash as version."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise PolicyError(f"{source}: not valid YAML: {err}") from None
    if not isinstance(data, Mapping):
        raise PolicyError(f"{source}: a policy must be a mapping of keys, e.g. `levels:`")
    try:
        policy = EscalationPolicy.model_validate(data)
    except ValidationError as err:
        problems = [_describe(source, root, error) for error in err.errors()]
        raise PolicyError("\n".join(problems)) from None
    problems = [
        _at(source, root, location, problem) for location, problem in _holiday_problems(policy)
    ]
    if problems:
        raise PolicyError("\n".join(problems))
    return policy.model_copy(update={"version": policy.content_hash()})


def _holiday_problems(policy: EscalationPolicy) -> list[tuple[list[str], str]]:
    """Calendars whose public holidays the `holidays` package cannot give, found at load time.

    Checked here rather than in the model: the model is also read inside workflows, where the
    package cannot load, and a running complaint already carries its holidays.
    """
    problems: list[tuple[list[str], str]] = []
    for key, entry in policy.calendars.items():
        country = entry.holiday_country(key)
        here = ["calendars", key]
        if country is None:
            if entry.subdivision:
                problems.append(
                    ([*here, "subdivision"], "a subdivision needs holidays_from: whose state?")
                )
            continue
        try:
            public_holidays.country_holidays(country, years=())
        except NotImplementedError:
            unknown = f"no public holidays are known for country {country!r}"
            if entry.holidays_from:
                fix = "name a country code the `holidays` package knows, like 'MX' or 'IN'"
                problems.append(([*here, "holidays_from"], f"{unknown}; {fix}"))
            else:
                fix = "key the calendar by a country code like 'MX', or set holidays_from"
                problems.append((here, f"{unknown}; {fix}"))
            continue
        if entry.subdivision is None:
            continue
        try:
            public_holidays.country_holidays(country, subdiv=entry.subdivision, years=())
        except NotImplementedError:
            known = public_holidays.list_supported_countries().get(country, [])
            problems.append(
                (
                    [*here, "subdivision"],
                    f"{country} has no subdivision {entry.subdivision!r}; "
                    f"known: {', '.join(known) or 'none'}",
                )
            )
    return problems


def _describe(source: str, root: yaml.Node | None, error: Any) -> str:
    location = [part for part in error["loc"] if not _is_validator_name(part)]
    return _at(source, root, location, error["msg"].removeprefix("Value error, "))


def _at(source: str, root: yaml.Node | None, location: list[Any], message: str) -> str:
    """`file:line: key.path: message`, the line of the deepest key that exists."""
    path = ".".join(str(part) for part in location) or "(top)"
    line = _line_of(root, location)
    where = f"{source}:{line}" if line else source
    return f"{where}: {path}: {message}"


def _is_validator_name(part: Any) -> bool:
    # pydantic puts union/type tags such as `function-after[...]` into locations.
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _line_of(node: yaml.Node | None, location: list[Any]) -> int | None:
    """1-based line of the YAML node at `location`, or of its deepest existing parent."""
    if node is None:
        return None
    found: yaml.Node = node
    for part in location:
        child: yaml.Node | None = None
        if isinstance(found, yaml.MappingNode):
            child = next((value for key, value in found.value if key.value == str(part)), None)
        elif isinstance(found, yaml.SequenceNode) and isinstance(part, int):
            child = found.value[part] if part < len(found.value) else None
        if child is None:
            break
        found = child
    return found.start_mark.line + 1
