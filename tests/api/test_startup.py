"""The API process refusing to start says what to fix, as the worker does: no traceback."""

from pathlib import Path

from tests.support.processes import ROOT, api_process_output, without_complaints_settings

SECRET = "s" * 40


async def test_the_api_process_refuses_a_broken_policy_with_the_message_only(
    tmp_path: Path,
) -> None:
    """Seed 003: "solicitando un tiempo de espera de 5 días hábiles." A policy counting those
    days in a misspelt zone stops the API with the file, line and fix, not a traceback."""
    policy = (ROOT / "policy" / "default.yaml").read_text()
    mistake = "timezone: America/Mexico_City"
    line = policy[: policy.index(mistake)].count("\n") + 1
    (tmp_path / "default.yaml").write_text(policy.replace(mistake, "timezone: Mexico/City_Mexico"))
    environment = {
        **without_complaints_settings(),
        "COMPLAINTS_JWT_SECRET": SECRET,
        "COMPLAINTS_CUSTOMER_ID_SECRET": SECRET,
        "ESCALATION_POLICY": str(tmp_path),
    }
    returncode, _, message = await api_process_output(environment)
    assert returncode != 0
    assert "refusing to start, the escalation policy is wrong" in message
    assert (
        f"default.yaml:{line}: calendars.MX.timezone: unknown time zone 'Mexico/City_Mexico'"
        in message
    )
    assert "Traceback" not in message
