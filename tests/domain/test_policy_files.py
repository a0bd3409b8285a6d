"""Policy files: the shipped ones load; each kind of mistake names file, key, line, problem."""

import shutil
from pathlib import Path

import pytest

from api import cli
from domain.durations import DurationKind
from domain.policy_files import PolicyError, load_policy_set, parse_policy

POLICY_DIR = Path(__file__).resolve().parents[2] / "policy"
VALID = (POLICY_DIR / "default.yaml").read_text()


def test_the_shipped_policies_load_with_a_version_each() -> None:
    policies = load_policy_set(POLICY_DIR)
    assert policies.brands == ["default", "delonghi-mx", "xiaomi-in"]
    default = policies.for_brand(None)
    assert [str(level.resolution_window) for level in default.levels] == ["48h", "24h", "12h"]
    assert [level.owner_role for level in default.levels] == [
        "grievance_desk",
        "head_of_customer_service",
        "office_of_the_president",
    ]
    assert all(len(policies.for_brand(b).version) == 12 for b in policies.brands)
    supervisor = policies.for_brand("delonghi-mx").level(2).resolution_window
    assert (supervisor.kind, supervisor.business_days) == (DurationKind.BUSINESS_DAYS, 5)


def test_the_version_follows_content_not_comments_or_layout() -> None:
    reformatted = "# a comment\n" + VALID.replace(
        "{email: grievance-desk@example.com}", "\n      email: grievance-desk@example.com"
    )
    assert parse_policy(reformatted, "b.yaml").version == parse_policy(VALID, "a.yaml").version
    changed = VALID.replace("resolution_window: 48h", "resolution_window: 47h")
    assert parse_policy(changed, "c.yaml").version != parse_policy(VALID, "a.yaml").version


def test_an_unknown_brand_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known brands: default, delonghi-mx, xiaomi-in"):
        load_policy_set(POLICY_DIR).for_brand("acme")


@pytest.mark.parametrize(
    ("mistake", "replacement", "expected"),
    [
        (
            "resolution_window: 24h",
            "resolution_window: 24 hrs please",
            "bad.yaml:{line}: levels.1.resolution_window: '24 hrs please' is not a duration",
        ),
        (
            "{email: head-of-customer-service@example.com}",
            "{email: not-an-email}",
            "bad.yaml:{line}: levels.1.contacts.email: value is not a valid email address",
        ),
        (
            "owner_role: office_of_the_president",
            "owner_role: Office President",
            "bad.yaml:{line}: levels.2.owner_role: String should match pattern",
        ),
        (
            "warnings: []",
            "warnings: [75%, 50%]",
            "bad.yaml:4: (top): warnings must be increasing",
        ),
        (
            "warnings: []",
            "warnings: [150%]",
            "bad.yaml:{line}: warnings.0: Input should be less than 1",
        ),
        (
            'hours: "09:00-18:00"}\n  MX',
            'hours: "18:00-09:00"}\n  MX',
            "bad.yaml:{line}: calendars.IN: working hours must start before they end",
        ),
        (
            "working_days: [mon, tue, wed, thu, fri], hours",
            "working_days: [mon, tue, funday], hours",
            "bad.yaml:{line}: calendars.IN.working_days.2: Input should be a valid integer",
        ),
        (
            "timezone: America/Mexico_City",
            "timezone: America/Mexico_Cty",
            "bad.yaml:{line}: calendars.MX.timezone: unknown time zone 'America/Mexico_Cty'; "
            "use an IANA name like 'America/Mexico_City'",
        ),
        (
            "timezone: America/Mexico_City",
            "timezone: localtime",
            "bad.yaml:{line}: calendars.MX.timezone: time zone 'localtime' depends on the host",
        ),
        (
            "MX: {timezone",
            "XM: {timezone",
            "bad.yaml:{line}: calendars.XM: no public holidays are known for country 'XM'; "
            "key the calendar by a country code like 'MX', or set holidays_from",
        ),
        (
            "MX: {timezone: America/Mexico_City,",
            "MX: {timezone: America/Mexico_City, holidays_from: QQ,",
            "bad.yaml:{line}: calendars.MX.holidays_from: no public holidays are known for "
            "country 'QQ'",
        ),
        (
            "IN: {timezone: Asia/Kolkata,",
            "IN: {timezone: Asia/Kolkata, subdivision: ZZ,",
            "bad.yaml:{line}: calendars.IN.subdivision: IN has no subdivision 'ZZ'; known: AN, AP",
        ),
        (
            "IN: {timezone: Asia/Kolkata,",
            "default: {timezone: Asia/Kolkata, subdivision: KA}\n  IN: {timezone: Asia/Kolkata,",
            "bad.yaml:{line}: calendars.default.subdivision: a subdivision needs holidays_from",
        ),
        (
            "realert_interval: 4h",
            "realert_every: 4h",
            "bad.yaml:4: realert_interval: Field required",
        ),
        (
            "repeat_thresholds: {specialists: 2, team_leader: 3, third_level: 4}",
            "repeat_thresholds: {specialists: 3, team_leader: 3, third_level: 4}",
            "bad.yaml:{line}: repeat_thresholds: thresholds must increase",
        ),
        (
            "levels:",
            "levels: []\nold_levels:",
            "bad.yaml:6: levels: Tuple should have at least 1 item",
        ),
    ],
)
def test_mistakes_name_the_file_line_key_and_problem(
    mistake: str, replacement: str, expected: str
) -> None:
    assert mistake in VALID
    line = VALID[: VALID.index(mistake)].count("\n") + 1  # where the mistake is, for `{line}`
    with pytest.raises(PolicyError) as raised:
        parse_policy(VALID.replace(mistake, replacement, 1), "bad.yaml")
    assert expected.format(line=line) in str(raised.value), str(raised.value)


def test_a_calendar_mistake_stops_the_simulator_with_file_and_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seed 003: "solicitando un tiempo de espera de 5 días hábiles." Business days need
    Mexico's real calendar: a misspelt zone or holiday country is refused when the policy
    loads, not when the first Mexican complaint is filed."""
    policies = tmp_path / "policy"
    shutil.copytree(POLICY_DIR, policies)
    delonghi = policies / "delonghi-mx.yaml"
    text = delonghi.read_text()
    mistake = "MX: {timezone: America/Mexico_City,"
    line = text[: text.index(mistake)].count("\n") + 1
    delonghi.write_text(text.replace(mistake, "MX: {timezone: America/Mexico City,", 1))
    args = ["simulate", "--policy", str(policies), "--brand", "delonghi-mx", "--country", "MX"]
    assert cli.main([*args, "--opened", "2026-11-13T17:00:00-06:00"]) == 2
    err = capsys.readouterr().err
    assert f"delonghi-mx.yaml:{line}: calendars.MX.timezone: unknown time zone" in err
    assert "Traceback" not in err


def test_broken_yaml_and_wrong_shapes_are_clear(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"bad.yaml: not valid YAML"):
        parse_policy("levels: [unclosed", "bad.yaml")
    with pytest.raises(PolicyError, match="a policy must be a mapping"):
        parse_policy("- just a list", "bad.yaml")
    with pytest.raises(PolicyError, match="business durations need at least one calendar"):
        parse_policy(VALID.split("calendars:")[0].replace("12h", "12 business hours"), "bad.yaml")
    with pytest.raises(PolicyError, match=r"needs a default\.yaml"):
        (tmp_path / "acme.yaml").write_text(VALID)
        load_policy_set(tmp_path)
    with pytest.raises(PolicyError, match="no such policy file or directory"):
        load_policy_set(tmp_path / "missing")


def test_a_single_file_serves_as_the_default(tmp_path: Path) -> None:
    (tmp_path / "only.yaml").write_text(VALID)
    assert load_policy_set(tmp_path / "only.yaml").brands == ["default"]


def test_a_known_model_matches_case_and_spacing_aside_in_the_policys_spelling() -> None:
    xiaomi = load_policy_set(POLICY_DIR).for_brand("xiaomi-in")
    assert xiaomi.known_model("  redmi note   10 PRO ") == "Redmi Note 10 Pro"
    assert xiaomi.known_model("Redmi Note 10 Pro, serial 8812, bought by Asha") is None
    assert load_policy_set(POLICY_DIR).for_brand(None).known_model("Redmi Note 10 Pro") is None
    twice = VALID + "known_models: [Xiaomi 14, xiaomi  14]\n"
    with pytest.raises(PolicyError, match=r"known_models: .*distinct"):
        parse_policy(twice, "twice.yaml")


def test_the_shipped_policies_say_where_each_level_window_comes_from() -> None:
    """Seed 001: "the team will begin investigating the issue and work towards finding a
    suitable resolution within 48 hours"; seed 003 promises the customer "un tiempo de
    resolución de 72 horas" for a case, but names no level windows: De'Longhi's 72 h and
    5 business days are the brand's choice, and the files say so (issue 16, item 1)."""
    policies = load_policy_set(POLICY_DIR)
    seed_matrix = [level.window_source for level in policies.for_brand("xiaomi-in").levels]
    assert all(source and source.startswith("seeds 000-002") for source in seed_matrix)
    assert "48 hours" in (seed_matrix[0] or "")
    delonghi = policies.for_brand("delonghi-mx")
    assert {level.window_source for level in delonghi.levels} == {
        "De'Longhi's choice: seed 003 names no level windows"
    }
    unmarked = delonghi.model_copy(
        update={
            "levels": tuple(lv.model_copy(update={"window_source": None}) for lv in delonghi.levels)
        }
    )
    assert unmarked.content_hash() == delonghi.content_hash()  # a note, like a comment
