"""The fault suite (bench/reliability) end to end on a small stack, the important scenarios with
13 complaints each: worker kills, two workers with one killed, poison input, a bad deploy then
the fixed one. The hard targets hold: no complaint lost, no email missing, no 5xx but 503.
Lateness and duplicates are the suite's to report (docs/reliability.md), not this test's."""

from bench.reliability.report import server_errors
from bench.reliability.suite import parse, run

COMPLAINTS = 13
SCENARIOS = ("worker-kill", "two-workers", "poison", "bad-deploy")


async def test_the_small_fault_suite_loses_nothing_and_answers_no_5xx_but_503() -> None:
    options = ["--bad-deploy", "8", "--drain", "60"]
    args = parse(["--complaints", str(COMPLAINTS), "--scenarios", *SCENARIOS, *options])
    results = {result.scenario: result for result in await run(args)}
    assert list(results) == list(SCENARIOS)
    for name, result in results.items():
        assert result.filed == COMPLAINTS, name
        assert result.faults.injected >= 1, name
        assert result.lost == [], name
        assert result.missing == [], name
        assert result.expected == 5 * COMPLAINTS, name
        assert server_errors(result) == 0, name
        assert result.faults.violations == [], name
        assert result.observed.id_mismatches == 0, name
    deploy = dict(results["bad-deploy"].faults.measures)
    assert "the engine fails on it" in deploy["503 detail (GET)"]
    poison = dict(results["poison"].faults.measures)
    assert poison["poison: update sent to Temporal without the key"].startswith("refused")
    # What the engine does today with internationalised addresses, the sink offering SMTPUTF8:
    assert poison["poison: zoë@example.in"].endswith("zoë@example.in (SMTPUTF8)")
    assert poison["poison: u@exämple.in"].endswith("u@xn--exmple-cua.in")
