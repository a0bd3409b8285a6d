"""Issue 18's plots (PNG, matplotlib): written by `bench/run.py` and `bench/scale.py` into
docs/img/bench-*.png."""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

SIDES = {
    "project": "tab:red",
    "plain": "tab:blue",
    "raw": "tab:gray",
    "project, 2 workers": "tab:orange",
}


def _save(figure: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def scale(samples: Sequence[Any], path: Path) -> None:
    """Server, worker and API RSS, and database bytes, against open complaints (extrapolated
    bytes dashed; memory is not extrapolated)."""
    figure, (memory, disk) = plt.subplots(1, 2, figsize=(11, 4.2))
    measured = [s for s in samples if not s.extrapolated]
    guessed = [s for s in samples if s.extrapolated]
    lines = (("server_mb", "server", memory), ("worker_mb", "worker", memory))
    for key, label, axes in (*lines, ("api_mb", "API", memory)):
        _measured_then_guessed(axes, measured, [], key, label, scale_by=1.0)
    for key, label in (("server_db_bytes", "server's SQLite"), ("journal_bytes", "case journal")):
        _measured_then_guessed(disk, measured, guessed, key, label, scale_by=1 / 1024**2)
    memory.axhline(256, color="black", linewidth=0.8, linestyle=":", label="worker target 256 MB")
    memory.set(title="Resident memory", xlabel="open complaints", ylabel="MB")
    disk.set(
        title="Database bytes on disk", xlabel="open complaints", ylabel="MB (log)", yscale="log"
    )
    levels = _spread([s.open for s in samples])
    for axes in (memory, disk):
        axes.set_xscale("symlog", linthresh=min((n for n in levels if n), default=1))
        axes.set_xticks(levels, [f"{n:,}" for n in levels])
        axes.minorticks_off()
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    _save(figure, path)


def _spread(levels: list[int]) -> list[int]:
    """The levels whose labels do not overlap on a log axis (each 3x the last labelled)."""
    kept: list[int] = []
    for level in levels:
        if not kept or not kept[-1] or level >= 3 * kept[-1]:
            kept.append(level)
    return kept


def _measured_then_guessed(
    axes: Any,
    measured: Sequence[Any],
    guessed: Sequence[Any],
    key: str,
    label: str,
    scale_by: float,
) -> None:
    xs = [s.open for s in measured]
    ys = [getattr(s, key) * scale_by for s in measured]
    (line,) = axes.plot(xs, ys, marker="o", label=label)
    if guessed:
        gx = [measured[-1].open, *(s.open for s in guessed)]
        gy = [ys[-1], *(getattr(s, key) * scale_by for s in guessed)]
        axes.plot(gx, gy, linestyle="--", marker="x", color=line.get_color())


def concurrency(sweep: Mapping[str, Mapping[int, Mapping[str, float]]], path: Path) -> None:
    """Intake rate, and latency p50 / p99, against concurrent clients, for each side."""
    figure, (rate, latency) = plt.subplots(1, 2, figsize=(11, 4.2))
    for side, points in sweep.items():
        clients = sorted(points)
        color = SIDES.get(side)
        rate.plot(clients, [points[c]["rate"] for c in clients], "o-", color=color, label=side)
        for key, style in (("p50_ms", "o-"), ("p99_ms", "x--")):
            values = [points[c].get(key, float("nan")) for c in clients]
            latency.plot(clients, values, style, color=color, label=f"{side} {key[:3]}")
    rate.set(title="Intake rate", xlabel="concurrent clients", ylabel="complaints / s")
    latency.set(title="Intake latency", xlabel="concurrent clients", ylabel="ms", yscale="log")
    ticks = sorted({c for points in sweep.values() for c in points})
    for axes in (rate, latency):
        axes.set_xticks(ticks, [str(c) for c in ticks])
        axes.grid(alpha=0.3)
        _legend(axes)
    _save(figure, path)


def cdfs(
    samples: Mapping[str, Sequence[float]], path: Path, title: str, unit: str, log: bool = False
) -> None:
    """The cumulative distribution of each side's values."""
    figure, axes = plt.subplots(figsize=(7, 4.2))
    for side, values in samples.items():
        ordered = sorted(values)
        if not ordered:
            continue
        shares = [(index + 1) / len(ordered) for index in range(len(ordered))]
        axes.step(ordered, shares, where="post", color=SIDES.get(side), label=side)
    axes.set(title=title, xlabel=unit, ylabel="share at or below")
    if log:
        axes.set_xscale("log")
    axes.grid(alpha=0.3)
    _legend(axes)
    _save(figure, path)


def _legend(axes: Any) -> None:
    """The legend, or a word that this run drew nothing there."""
    if axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize=8)
    else:
        axes.text(0.5, 0.5, "not measured in this run", ha="center", transform=axes.transAxes)
