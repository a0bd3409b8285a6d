"""The fault suite (bench/reliability) end to end on a small stack: 20 complaints filed
while the worker is killed with SIGKILL; none lost, no email missing. Lateness and duplicates are
the suite's to report (docs/reliability.md), not this test's to check."""

from bench.reliability.suite import parse, run


async def test_a_worker_killed_during_intake_and_escalations_loses_nothing() -> None:
    args = parse(["--complaints", "20", "--scenarios", "worker-kill", "--drain", "90"])
    [result] = await run(args)
    assert result.filed == 20
    assert result.faults.injected >= 1
    assert result.lost == []
    assert result.missing == []
    assert result.expected == 5 * 20
