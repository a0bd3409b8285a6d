"""Issue 18's instruments (bench/run.py), their parts that need no stack: a full run takes
minutes (a project burst waits a business minute at least), too long for a test."""

from datetime import UTC, datetime, timedelta

from bench.measure import burst_figures, intake_figures
from bench.project import BURST_WINDOW, burst_policy
from bench.run import Results, parse, table, targets


def test_a_burst_policy_puts_every_l1_deadline_on_one_instant() -> None:
    opens = datetime(2026, 12, 1, 14, 30, 7, tzinfo=UTC)
    policy, calendar = burst_policy(opens, "burst.example")
    filed = [opens - timedelta(seconds=seconds) for seconds in (1, 30, 95, 600)]
    deadlines = {calendar.add_business_time(at, BURST_WINDOW) for at in filed}
    assert deadlines == {opens + BURST_WINDOW}
    assert [level.contacts.email for level in policy.levels][1] == "level2@burst.example"


def test_a_burst_late_in_the_utc_day_ends_its_working_hours_at_midnight() -> None:
    opens = datetime(2026, 12, 1, 23, 40, 0, tzinfo=UTC)
    _, calendar = burst_policy(opens, "burst.example")
    assert (calendar.day_start.isoformat(), calendar.day_end.isoformat()) == (
        "23:40:00",
        "23:59:59",
    )
    assert calendar.add_business_time(opens - timedelta(seconds=5), BURST_WINDOW) == (
        opens + BURST_WINDOW
    )


def _results() -> Results:
    plain = intake_figures(2.0, [0.1, 0.2], [10.0, 10.5], 9.5) | {
        f"burst_{k}": v for k, v in burst_figures(100.0, [100.5, 101.0, 101.5], 3).items()
    }
    project = {key: value * 2 for key, value in plain.items()}
    return Results(sides={"plain": plain, "project": project, "raw": {"rate": 40.0}})


def test_the_table_gives_every_side_and_the_ratio_to_plain() -> None:
    text = table(_results(), parse(["--burst", "3"]))
    assert "| intake, 10 concurrent clients: complaints/s | 2.0 | 1.0 | 40.0 | 2.00x |" in text
    assert "| 3 due in the same second → escalation email: max (s) | 3.00 | 1.50 | — | 2.00x |" in (
        text
    )


def test_each_target_says_pass_or_fail_against_its_bound() -> None:
    results = _results()
    results.sides["project"] |= {"paced_p50_ms": 40.0, "paced_p99_ms": 300.0}
    results.worker_rss_mb = 200.0
    rows = {target.what: target for target in targets(results, parse(["--burst", "3"]))}
    assert rows["intake, 10 clients, ≥ 0.8x plain"].met is True  # 2.0/s against 1.0/s
    assert rows["API p50 paced at 10/s"].met is True
    assert rows["API p99 paced at 10/s"].met is False
    assert rows["3 due at once: last email ≤ 1.5x plain"].met is False  # 3.0 s against 1.5 s
    assert rows["worker RSS after the run"].met is True
    assert rows["payloads in an L1→L2→L3 history"].met is None  # not measured
