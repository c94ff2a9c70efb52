"""Charts for simulation results: fan chart of the ratio, China's channels, and a tornado."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from computegate.simulation import Results

CHANNELS = (
    ("china_legal", "legal imports"),
    ("china_domestic", "domestic"),
    ("china_smuggled", "smuggled"),
    ("china_cloud", "offshore cloud"),
)


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, out: Path, stem: str) -> list[Path]:  # type: ignore[no-untyped-def]
    paths = [out / f"{stem}.png", out / f"{stem}.svg"]
    for p in paths:
        fig.savefig(p, dpi=110)
    return paths


def coinciding(frame: pl.DataFrame, metric: str, rel: float = 0.005) -> list[list[str]]:
    """Groups of scenarios whose median lines for `metric` coincide (within `rel` every year)."""
    lines = {
        name: frame.filter((pl.col("scenario") == name) & (pl.col("metric") == metric))
        .sort("year")["median"]
        .to_list()
        for name in frame["scenario"].unique(maintain_order=True)
    }
    groups: list[list[str]] = []
    for name, values in lines.items():
        for group in groups:
            ref = lines[group[0]]
            if all(
                abs(a - b) <= rel * max(abs(a), abs(b), 1e-12)
                for a, b in zip(values, ref, strict=True)
            ):
                group.append(name)
                break
        else:
            groups.append([name])
    return groups


def fan_chart(results: Results, out: Path, metric: str = "flow_ratio") -> list[Path]:
    """Median and 5-95% band per scenario; scenarios whose lines coincide share one labelled line."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 6))
    frame = results.frame.filter(pl.col("metric") == metric)
    for group in coinciding(results.frame, metric):
        rows = frame.filter(pl.col("scenario") == group[0]).sort("year")
        years = rows["year"].to_list()
        label = " = ".join(group) + (" (lines coincide)" if len(group) > 1 else "")
        line = ax.plot(years, rows["median"].to_list(), marker="o", label=label)[0]
        ax.fill_between(
            years, rows["p5"].to_list(), rows["p95"].to_list(), color=line.get_color(), alpha=0.15
        )
    ax.axhline(1.0, color="black", lw=0.8, ls="--")
    ax.set_yscale("log")
    ax.set_xlabel("year")
    ax.set_ylabel(f"US : China ({metric.replace('_', ' ')}), median with 5-95% band")
    ax.set_title(f"US:China AI compute ({results.basis}, profile {results.profile})")
    ax.legend(fontsize=8)
    fig.tight_layout()
    paths = _save(fig, out, f"fan_{metric}")
    plt.close(fig)
    return paths


def channels_chart(results: Results, out: Path) -> list[Path]:
    plt = _plt()
    names = results.frame["scenario"].unique(maintain_order=True).to_list()
    cols = min(3, len(names))
    rows_n = (len(names) + cols - 1) // cols
    fig, axes = plt.subplots(rows_n, cols, figsize=(5 * cols, 3.6 * rows_n), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        frame = results.frame.filter(pl.col("scenario") == name)
        years = sorted(frame["year"].unique().to_list())
        bottom = [0.0] * len(years)
        for metric, label in CHANNELS:
            values = frame.filter(pl.col("metric") == metric).sort("year")["median"].to_list()
            ax.bar(years, values, bottom=bottom, label=label)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_title(name, fontsize=10)
        ax.set_ylabel(results.basis, fontsize=8)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle("China's compute by channel (medians)")
    fig.tight_layout()
    paths = _save(fig, out, "china_channels")
    plt.close(fig)
    return paths


def tornado_chart(
    tornados: Mapping[str, Mapping[str, Sequence[tuple[str, float, float, float]]]],
    year: int,
    out: Path,
    top: int = 8,
) -> list[Path]:
    """One panel per scenario and metric: what moves the ratio most, structural choices included."""
    plt = _plt()
    panels = [
        (name, metric, swings) for name, by in tornados.items() for metric, swings in by.items()
    ]
    cols = 2
    rows_n = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows_n, cols, figsize=(14, 3.2 * rows_n), squeeze=False)
    for ax, (name, metric, swings) in zip(axes.flat, panels, strict=False):
        shown = list(swings[:top])[::-1]
        centre = shown[0][3] if shown else 0.0
        for i, (_label, low, high, _) in enumerate(shown):
            ax.barh(i, high - centre, left=centre, color="#2980b9")
            ax.barh(i, low - centre, left=centre, color="#c0392b")
        ax.set_yticks(range(len(shown)), [s[0] for s in shown], fontsize=7)
        ax.axvline(centre, color="black", lw=0.8)
        ax.set_title(f"{name}: {metric.replace('_', ' ')} {year}", fontsize=9)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    fig.suptitle(
        "What moves the US:China ratio (red: input at its 5th percentile or low end, blue: 95th)"
    )
    fig.tight_layout()
    paths = _save(fig, out, "tornado")
    plt.close(fig)
    return paths
