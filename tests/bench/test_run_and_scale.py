"""Issue 18's `make bench` and `make bench-scale` end to end at tiny sizes: every table row,
target and plot they promise is written. How fast or big the stack is, is theirs to report, not
a test's to check (bursts are left out: a project burst waits a business minute at least)."""

from pathlib import Path

from bench import run, scale

PNG = b"\x89PNG\r\n\x1a\n"
TINY = ["--count", "6", "--clients", "2", "--sweep", "1,2", "--sweep-count", "3", "--burst", "0"]


def _docs(tmp_path: Path) -> Path:
    docs = tmp_path / "benchmarks.md"
    docs.write_text(
        "prose before\n"
        f"{run.BEGIN}\nold\n{run.END}\n"
        "prose between\n"
        f"{scale.BEGIN}\nold\n{scale.END}\n"
        "prose after\n"
    )
    return docs


def _is_png(path: Path) -> bool:
    return path.read_bytes().startswith(PNG) and path.stat().st_size > 5_000


def test_bench_run_writes_every_side_target_and_plot(tmp_path: Path) -> None:
    docs, images = _docs(tmp_path), tmp_path / "img"
    argv = [*TINY, "--paced", "3", "--rate", "5", "--workers", "1", "--lifecycle", "0"]
    results = run.main([*argv, "--docs", str(docs), "--images", str(images), "--write-docs"])

    assert set(results.sides) == {"raw", "plain", "project"}
    for side in run.SIDES:
        assert set(results.sweep[side]) == {1, 2}
        assert results.sweep[side][2]["rate"] > 0
        assert len(results.latencies[side]) == 6
    assert results.sides["project"]["acks"] == results.sides["plain"]["acks"] == 6
    assert results.worker_rss_mb is not None and results.worker_rss_mb > 50
    text = docs.read_text()
    assert text.startswith("prose before\n") and "prose between" in text
    assert f"{scale.BEGIN}\nold\n{scale.END}" in text
    args = run.parse([*argv, "--docs", str(docs)])
    for target in run.targets(results, args):
        assert target.row() in text
    for label, key, _ in run.ROWS[:8]:
        assert f"| {run._words(label, args)} |" in text, key
    assert "| clients | raw /s | raw p50 ms | raw p99 ms | plain /s |" in text
    for name in run.PLOTS.values():
        assert f"(img/{name})" in text
        assert _is_png(images / name)


def test_bench_run_compares_two_workers_and_costs_a_lifecycle(tmp_path: Path) -> None:
    docs, images = _docs(tmp_path), tmp_path / "img"
    argv = [*TINY, "--paced", "0", "--workers", "2", "--lifecycle", "2", "--idle", "2"]
    results = run.main([*argv, "--docs", str(docs), "--images", str(images), "--write-docs"])

    assert results.sides[run.TWO_WORKERS]["acks"] == 6
    for role in ("server", "worker", "api"):  # net of idle use may read 0 for 2 complaints
        gross, net = results.lifecycle[f"gross_cpu_ms_{role}"], results.lifecycle[f"cpu_ms_{role}"]
        assert gross > 0 and 0 <= net <= gross, role
    assert results.lifecycle["history_kb_resolved"] > results.lifecycle["history_kb_l3"] > 1
    text = docs.read_text()
    assert "| intake, 2 concurrent clients: complaints/s | — |" in text  # the 2-worker table
    assert "| worker | " in text and "| all | " in text
    assert "Payloads in one complaint's history:" in text


def test_bench_scale_writes_every_level_the_cache_sweep_and_its_plot(tmp_path: Path) -> None:
    docs, plot = _docs(tmp_path), tmp_path / "img" / "bench-scale.png"
    argv = ["--open", "4,8,100000", "--time-box", "600", "--sweep", "3", "--window", "4"]
    figures = scale.main([*argv, "--docs", str(docs), "--plot", str(plot), "--write-docs"])

    levels = [(sample["open"], sample["extrapolated"]) for sample in figures["samples"]]
    assert levels == [(0, False), (4, False), (8, False), (100_000, True)]
    empty, measured = figures["samples"][0], figures["samples"][2]
    assert measured["server_db_bytes"] > empty["server_db_bytes"]
    assert measured["journal_bytes"] > empty["journal_bytes"]
    assert [point["cache"] for point in figures["cache"]] == [3]
    assert figures["cache"][0]["full_mb"] > 0
    text = docs.read_text()
    assert "| 100,000 (extrapolated) |" in text and "| 8 |" in text and "| 3 | " in text
    assert "prose between" in text and f"{run.BEGIN}\nold\n{run.END}" in text
    assert _is_png(plot)
