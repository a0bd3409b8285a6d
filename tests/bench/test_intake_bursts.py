"""Issue 18's instruments (bench/run.py), their parts that need no stack: a full run takes
minutes (a project burst waits a business minute at least), too long for a test."""

from datetime import UTC, datetime, timedelta

from bench.measure import burst_figures, intake_figures
from bench.project import BURST_WINDOW, burst_policy
from bench.run import parse, table


def test_a_burst_policy_puts_every_l1_deadline_on_one_instant() -> None:
    opens = datetime(2026, 12, 1, 14, 30, 7, tzinfo=UTC)
    policy, calendar = burst_policy(opens, "burst.example")
    filed = [opens - timedelta(seconds=seconds) for seconds in (1, 30, 95, 600)]
    deadlines = {calendar.add_business_time(at, BURST_WINDOW) for at in filed}
    assert deadlines == {opens + BURST_WINDOW}
    assert [level.contacts.email for level in policy.levels][1] == "level2@burst.example"


def test_the_table_gives_both_sides_and_their_ratio() -> None:
    args = parse(["--burst", "3"])
    plain = intake_figures(2.0, [0.1, 0.2], [10.0, 10.5], 9.5) | {
        f"burst_{k}": v for k, v in burst_figures(100.0, [100.5, 101.0, 101.5], 3).items()
    }
    project = {key: value * 2 for key, value in plain.items()}
    text = table({"plain": plain, "project": project}, args)
    assert "| intake, 10 concurrent clients: complaints/s | 2.0 | 1.0 | 2.00x |" in text
    assert "| 3 due in the same second → escalation email: max (s) | 3.00 | 1.50 | 2.00x |" in text
