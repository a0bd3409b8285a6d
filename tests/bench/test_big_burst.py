"""`make bench-burst`'s figures: the CPU use it reports while a burst drains, its table, and the
target row `make bench` reads back from it (the 10,000 burst itself takes most of an hour)."""

import argparse
from pathlib import Path

from bench import big_burst, run
from bench.big_burst import Sample


def _sample(at: float, worker: float, server: float) -> Sample:
    return Sample(at, {"worker": worker, "server": server}, {"worker": 100.0, "server": 300.0})


def test_cpu_use_is_taken_from_just_before_the_instant_to_just_after_the_last_email() -> None:
    samples = [_sample(at, worker=at * 0.5, server=at * 0.25) for at in range(10)]
    samples[5] = _sample(5, worker=2.5 + 10, server=1.25)  # a spike inside the window counts

    use = big_burst.use_between(samples, start=2.5, end=6.5)

    assert use == {"worker": (3.5 - 1.0) / 5, "server": (1.75 - 0.5) / 5}


def test_the_report_feeds_make_benchs_target_row(tmp_path: Path) -> None:
    results = big_burst.BurstResults(
        plain={"p50_s": 20.0, "max_s": 40.0, "missing": 0.0},
        project={"p50_s": 300.0, "max_s": 600.0, "missing": 0.0},
        lead_s=900.0,
        use={"worker": 0.98, "server": 0.6, "api": 0.0},
        peak_rss_mb={"worker": 250.0, "server": 900.0, "api": 130.0},
    )
    args = argparse.Namespace(count=10_000)
    text = big_burst.report(results, args, "a machine")
    docs = tmp_path / "benchmarks.md"
    docs.write_text(f"before\n{run.BIG_BURST_BEGIN}\nNot run yet.\n{run.BIG_BURST_END}\nafter\n")

    assert run._big_burst(docs).met is None
    run.replace_block(docs, run.BIG_BURST_BEGIN, run.BIG_BURST_END, text)

    assert "| worker | 0.98 | 250 |" in docs.read_text()
    target = run._big_burst(docs)
    assert target.met is True and target.ratio == 15.0
    assert target.measured == "last email 600.0 s vs 40.0 s"
