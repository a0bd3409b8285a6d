"""The fault suite (bench/reliability) end to end on a small stack, the important scenarios with
13 complaints each: worker kills, two workers with one killed, poison input, a bad deploy then
the fixed one, internationalised addresses against a mail server without SMTPUTF8. The hard
targets hold: no complaint lost, no email missing, no 5xx but 503.
Lateness and duplicates are the suite's to report (docs/reliability.md), not this test's."""

from bench.reliability.international import Seen
from bench.reliability.report import server_errors
from bench.reliability.suite import parse, run

COMPLAINTS = 13
SCENARIOS = ("worker-kill", "two-workers", "poison", "bad-deploy", "no-smtputf8")


async def test_the_small_fault_suite_loses_nothing_and_answers_no_5xx_but_503() -> None:
    options = ["--bad-deploy", "10", "--drain", "60"]
    args = parse(["--complaints", str(COMPLAINTS), "--scenarios", *SCENARIOS, *options])
    results = {result.scenario: result for result in await run(args)}
    assert list(results) == list(SCENARIOS)
    for name, result in results.items():
        assert result.filed == COMPLAINTS, name
        assert result.faults.injected >= 1, name
        assert result.lost == [], name
        assert result.missing == [], name
        apart = 0  # no-smtputf8: the owner's notices, to whoever owns it then, counted apart
        if name == "no-smtputf8":
            owner_told = dict(result.faults.measures)[Seen.OWNER_TOLD]
            apart = int(owner_told.removesuffix(" owed").split(" of ")[1])
        assert result.expected == 5 * COMPLAINTS - apart, name
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
    # The same addresses against a server without SMTPUTF8: IDNA domains still delivered, a
    # non-ASCII local part refused at once, recorded, texted instead or the owner told.
    international = dict(results["no-smtputf8"].faults.measures)
    for seen in Seen:
        count, owed = international[seen].removesuffix(" owed").split(" of ")
        assert count == owed, seen
    assert international[Seen.IDNA_EMAILED] != "0 of 0 owed"
    assert international["the reason recorded"].startswith(
        "`email: the mail server at 127.0.0.1 does not take internationalised addresses"
    )
    assert international["send activities pending after the drain"] == "0"
    failed, refused = international[
        "sends failed in Temporal / refused for good at the first attempt"
    ].split(" / ")
    assert failed == refused == international[Seen.UTF8_REFUSED].split(" of ")[0]
