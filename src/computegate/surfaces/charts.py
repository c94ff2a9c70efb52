"""The two pictures analysts draw by hand: TPP vs performance density, and TPP vs DRAM bandwidth."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from computegate.io.errors import InputError
from computegate.regime import Regime
from computegate.rules import Classification

COLORS = {
    "3A090.a": "#c0392b",
    "3A090.b": "#e67e22",
    "not 3A090": "#27ae60",
    "indeterminate": "#7f8c8d",
}
TPP_RANGE = (500.0, 100_000.0)


def _label(c: Classification) -> str:
    return c.name.replace("NVIDIA ", "").replace("AMD Instinct ", "").split(" (")[0]


def plot_catalog(items: Sequence[Classification], regime: Regime, path: Path) -> Path:
    """Write a two-panel chart (PNG, SVG or PDF by extension) and return its path."""
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(
            "--plot", f"unsupported chart format {path.suffix!r} (use .png, .svg or .pdf)"
        )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(16, 7.5))
    _density_panel(left, items, regime)
    _bandwidth_panel(right, items, regime)
    fig.suptitle(
        f"Accelerators under the US export rules on {regime.date}"
        + (f" (overlays: {', '.join(regime.overlays)})" if regime.overlays else "")
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _plot_points(ax, points: Sequence[tuple[Classification, float | None, float | None]]) -> int:  # type: ignore[no-untyped-def]
    """Scatter the chips whose two values are known, coloured by ECCN and labelled; return the count."""
    shown = 0
    for c, x, y in points:
        if not x or y is None:
            continue
        ax.scatter(
            x,
            y,
            color=COLORS.get(c.reading, "#34495e"),
            s=28,
            zorder=3,
            edgecolor="black",
            linewidth=0.4,
        )
        ax.annotate(_label(c), (x, y), fontsize=6.5, xytext=(3, 3), textcoords="offset points")
        shown += 1
    return shown


def _num(regime: Regime, name: str) -> float | None:
    return regime.number(name)


def _density_panel(ax, items: Sequence[Classification], regime: Regime) -> None:  # type: ignore[no-untyped-def]
    """Each 3A090 tier (regime data) as a TPP x PD rectangle, labelled once per ECCN."""
    ymax = 40.0
    lo, hi = TPP_RANGE
    tiers = regime.get("3a090.tiers")
    if tiers is not None:
        labelled: set[str] = set()
        for tier in tiers.value:
            eccn = ".".join(str(tier["paragraph"]).split(".")[:2])
            ax.fill_between(
                [tier["tpp_min"], tier.get("tpp_lt", hi)],
                tier.get("pd_min", 0),
                tier.get("pd_lt", ymax),
                color=COLORS.get(eccn, "#999999"),
                alpha=0.15,
                lw=0,
                label=None if eccn in labelled else eccn,
            )
            labelled.add(eccn)
    else:
        ax.text(
            0.5,
            0.5,
            "TPP/PD thresholds not in force on this date",
            transform=ax.transAxes,
            ha="center",
        )
    shown = _plot_points(ax, [(c, c.tpp, c.performance_density) for c in items])
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(0, ymax)
    ax.set_xlabel("Total processing performance (TPP, per IC, log scale)")
    ax.set_ylabel("Performance density (TPP / applicable die area, mm2)")
    missing = len(items) - shown
    ax.set_title(
        f"ECCN 3A090 regions ({missing} chips without a known die area not shown)", fontsize=10
    )
    ax.legend(loc="upper left", fontsize=8)


def _bandwidth_panel(ax, items: Sequence[Classification], regime: Regime) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.patches import Rectangle

    lo, hi = TPP_RANGE
    tpp_lt, bw_lt = (
        _num(regime, "jan2026.zone.tpp_lt"),
        _num(regime, "jan2026.zone.dram_bandwidth_lt_gbs"),
    )
    if tpp_lt and bw_lt:
        ax.add_patch(
            Rectangle(
                (lo, 0),
                tpp_lt - lo,
                bw_lt,
                color="#2980b9",
                alpha=0.12,
                label=f"Jan-2026 case-by-case window (TPP < {tpp_lt:,.0f}, BW < {bw_lt:,.0f} GB/s)",
            )
        )
    bands = regime.get("sec232.bands")
    for band in bands.value if bands else []:
        w = band["tpp_lt"] - band["tpp_gt"]
        h = band["dram_bandwidth_lt_gbs"] - band["dram_bandwidth_gt_gbs"]
        ax.add_patch(
            Rectangle(
                (band["tpp_gt"], band["dram_bandwidth_gt_gbs"]),
                w,
                h,
                fill=False,
                hatch="///",
                edgecolor="#8e44ad",
                label=f"Sec. 232 {band['name']} ({band['duty_rate']:.0%})",
            )
        )
    _plot_points(ax, [(c, c.tpp, c.total_dram_bandwidth_gbs) for c in items])
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(0, 9000)
    ax.set_xlabel("Total processing performance (TPP, per IC, log scale)")
    ax.set_ylabel("Total DRAM bandwidth (GB/s)")
    ax.set_title("Jan-2026 window and Section 232 duty bands (colour = ECCN)", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
