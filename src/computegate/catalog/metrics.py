"""Export-control metrics of one chip: TPP, performance density, equivalence units.

Bit lengths come from the regime (they are part of the legal definition), so they are arguments here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from computegate.catalog.model import Accelerator


@dataclass(frozen=True)
class ChipMetrics:
    """Metrics per integrated circuit (3A090 classifies ICs, not boards)."""

    tpp: float | None
    tpp_precisions: tuple[str, ...]
    performance_density: float | None = None
    applicable_die_area_mm2: float | None = None
    dense_8bit_tops: float | None = None
    dram_bandwidth_gbs: float | None = None
    ics_per_unit: int = 1


def compute_metrics(chip: Accelerator, bit_lengths: Mapping[str, float]) -> ChipMetrics:
    """TPP = max over precisions of (dense TFLOPS/TOPS x bit length), per IC; PD = TPP / logic area.

    `bit_lengths` must say how TF32 is counted (19 or 32 bits); the caller decides, visibly.
    """
    known = chip.dense_tflops.known()
    split = chip.ics_per_unit
    scored = {p: v * bit_lengths[p] / split for p, v in known.items() if p in bit_lengths}
    tpp = max(scored.values()) if scored else None
    best = tuple(p for p, v in scored.items() if tpp is not None and abs(v - tpp) < 1e-9)
    area = chip.die_area_mm2 / split if chip.die_area_mm2 is not None else None
    eight = [v for p, v in known.items() if p in ("fp8", "int8")]
    return ChipMetrics(
        tpp=tpp,
        tpp_precisions=best,
        performance_density=tpp / area if tpp is not None and area else None,
        applicable_die_area_mm2=area,
        dense_8bit_tops=max(eight) / split if eight else None,
        dram_bandwidth_gbs=chip.dram_bandwidth_gbs,
        ics_per_unit=split,
    )


BASES = {
    "tpp": "TPP (dense, max over precisions)",
    "dense_8bit": "dense 8-bit throughput (max of FP8, INT8)",
    "dram_bandwidth": "total DRAM bandwidth",
}


def basis_value(m: ChipMetrics, basis: str) -> float | None:
    """The chip's value on a basis, per unit as sold (a two-IC card counts both ICs)."""
    if basis == "tpp":
        return m.tpp * m.ics_per_unit if m.tpp is not None else None
    if basis == "dense_8bit":
        return m.dense_8bit_tops * m.ics_per_unit if m.dense_8bit_tops is not None else None
    if basis == "dram_bandwidth":
        return m.dram_bandwidth_gbs
    raise KeyError(f"unknown equivalence basis {basis!r} (known: {', '.join(BASES)})")


def equivalents(m: ChipMetrics, reference: ChipMetrics) -> dict[str, float | None]:
    """This chip in units of the reference chip, on each basis (None where either value is unknown)."""
    out: dict[str, float | None] = {}
    for basis in BASES:
        mine, ref = basis_value(m, basis), basis_value(reference, basis)
        out[basis] = mine / ref if mine is not None and ref else None
    return out
