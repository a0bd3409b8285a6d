"""The desk pages' benchmark (bench/desk_pages.py) runs end to end on a small stack: every page
kind gets numbers. How fast they are is the benchmark's to report, not a test's to check."""

from bench.desk_pages import page_kinds, parse, run


async def test_the_desk_benchmark_reports_every_page_kind() -> None:
    args = parse(["--open", "20", "--samples", "5", "--clients", "2", "--mine", "3"])
    results = await run(args)
    kinds = set(page_kinds(["any"], 20))
    assert set(results) == {(kind, clients) for kind in kinds for clients in (1, 2)}
    for numbers in results.values():
        assert set(numbers) == {"p50", "p95", "p99", "max"}
        assert all(value > 0 for value in numbers.values())
