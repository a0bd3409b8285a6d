"""Issue 18's history budget: a resolved L1 → L2 → L3 ladder's payload bytes."""

from bench.history_size import measure

BUDGET = 16 * 1024
"""Payload bytes of the ladder's history (it was 32.6 KB unjournaled, 56.1 KB journaled)."""
JOURNAL_MARKERS = 8 * 1024
"""What the case journal may add: its writes' markers, never the complaint they carry."""


async def test_a_ladder_history_stays_within_its_payload_budget() -> None:
    journaled, matter = await measure()
    assert "activity input: record_in_journal" not in journaled.payload_bytes
    assert journaled.total <= BUDGET + JOURNAL_MARKERS, journaled.payload_bytes
    assert matter.total <= BUDGET / 2, matter.payload_bytes
    unjournaled, _ = await measure(journal=False)
    assert unjournaled.total <= BUDGET, unjournaled.payload_bytes
