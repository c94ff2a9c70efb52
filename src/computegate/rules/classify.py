"""classify(item, date): ECCN (3A090 / 4A090), the Jan-2026 window and the Section 232 bands.

Every threshold comes from the regime; every step leaves a cited finding; an unknown fact gives
the outcome under each possibility instead of a guess.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from computegate.catalog import (
    Accelerator,
    Catalog,
    ChipMetrics,
    compute_metrics,
)
from computegate.catalog.metrics import equivalents
from computegate.io.errors import InputError
from computegate.model.classification import Classification, eccn_fields
from computegate.model.findings import Citation, Finding, MissingFact
from computegate.regime import ParamValue, Regime, cite
from computegate.rules.findings_roles import with_roles
from computegate.rules.ruling import Ruling

NOT_3A090 = "not 3A090"
INDETERMINATE = "indeterminate"


@dataclass(frozen=True)
class Tier:
    """One 3A090 outcome with the reason for it."""

    eccn: str
    paragraph: str | None
    rule: str
    text: str
    citation: Citation | str

    @property
    def label(self) -> str:
        return (
            self.eccn if self.paragraph in (None, self.eccn) else f"{self.eccn} ({self.paragraph})"
        )


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"


def _need(regime: Regime, name: str) -> tuple[float, Citation]:
    pv = regime.get(name)
    if pv is None:
        raise KeyError(f"regime parameter {name!r} is not in force on {regime.date}")
    return float(pv.value), pv.citation


# -- the 3A090 tests ------------------------------------------------------------------------------


TIERS = "3a090.tiers"


def _tiers(regime: Regime) -> tuple[list[dict[str, Any]], ParamValue]:
    pv = regime.get(TIERS)
    if pv is None:
        raise KeyError(f"regime parameter {TIERS!r} is not in force on {regime.date}")
    return list(pv.value), pv


def _needs_pd(tier: Mapping[str, Any]) -> bool:
    return "pd_min" in tier or "pd_lt" in tier


def _bounds_text(tier: Mapping[str, Any], name: str, key: str) -> str | None:
    lo, hi = tier.get(f"{key}_min"), tier.get(f"{key}_lt")
    show = _fmt if key == "tpp" else str
    if lo is not None and hi is not None:
        return f"{show(lo)} <= {name} < {show(hi)}"
    if lo is not None:
        return f"{name} >= {show(lo)}"
    return f"{name} < {show(hi)}" if hi is not None else None


def _holds(tier: Mapping[str, Any], key: str, value: float) -> bool:
    lo, hi = tier.get(f"{key}_min"), tier.get(f"{key}_lt")
    return (lo is None or value >= lo) and (hi is None or value < hi)


def _tier_2023(tpp: float, pd: float | None, regime: Regime) -> Tier | None:
    """The first tier (regime data) whose bounds hold; None when PD decides it but is unknown."""
    tiers, pv = _tiers(regime)
    for tier in tiers:
        if not _holds(tier, "tpp", tpp):
            continue
        if _needs_pd(tier):
            if pd is None:
                return None
            if not _holds(tier, "pd", pd):
                continue
        paragraph = str(tier["paragraph"])
        eccn = ".".join(paragraph.split(".")[:2])
        citation = cite(str(tier.get("cfr") or pv.period.cfr), pv.instrument, pv.overlay)
        if _needs_pd(tier):
            parts = [_bounds_text(tier, "TPP", "tpp"), _bounds_text(tier, "PD", "pd")]
            text = f"TPP {_fmt(tpp)}, PD {pd:.2f}: " + " and ".join(p for p in parts if p)
        else:
            text = f"TPP {_fmt(tpp)} >= {_fmt(tier['tpp_min'])}" + (
                f" and < {_fmt(tier['tpp_lt'])}" if "tpp_lt" in tier else ""
            )
        return Tier(eccn, paragraph, paragraph, text, citation)
    if pd is None and any(_needs_pd(t) for t in tiers):
        return None
    both = f"TPP {_fmt(tpp)}" + (f", PD {pd:.2f}" if pd is not None else "")
    return Tier(
        NOT_3A090,
        None,
        "3A090.thresholds",
        f"{both}: below every 3A090.a/.b threshold",
        pv.citation,
    )


def _pd_floor(regime: Regime) -> float:
    """The lowest TPP any tier reaches: below it nothing is 3A090."""
    return min(float(t["tpp_min"]) for t in _tiers(regime)[0])


def _area_outcomes(tpp: float, regime: Regime) -> list[tuple[str, Tier]]:
    """With die area unknown: the 3A090 outcome for each range of applicable die area."""
    tiers, _ = _tiers(regime)
    pds = sorted({float(t[k]) for t in tiers for k in ("pd_min", "pd_lt") if k in t}, reverse=True)
    bands: list[tuple[float, float | None]] = [(pds[0], None)]
    bands += [(lo, hi) for hi, lo in itertools.pairwise(pds)]
    bands.append((0.0, pds[-1]))
    merged: list[tuple[float, float | None, Tier]] = []
    for lo, hi in bands:
        tier = _tier_2023(tpp, lo if lo > 0 else pds[-1] / 2, regime)
        assert tier is not None
        if merged and merged[-1][2].paragraph == tier.paragraph:
            merged[-1] = (lo, merged[-1][1], tier)
        else:
            merged.append((lo, hi, tier))
    out = []
    for lo, hi, tier in merged:
        small = f"{_fmt(tpp / hi)} mm2 < " if hi else ""
        big = f"area <= {_fmt(tpp / lo)} mm2" if lo > 0 else "area"
        label = f"{small}{big}" if lo > 0 else f"area > {_fmt(tpp / hi)} mm2" if hi else big
        out.append((f"applicable die area: {label}", tier))
    return out


@dataclass(frozen=True)
class _Outcome:
    eccn: str
    paragraph: str | None
    findings: tuple[Finding, ...]
    missing: tuple[MissingFact, ...]


def _ic_outcome(
    chip: Accelerator, m: ChipMetrics, datacenter: bool | None, regime: Regime
) -> _Outcome:
    """ECCN of one IC on the regime date."""
    t = Ruling()
    if m.tpp is None:
        t.missing.append(
            MissingFact(
                fact="dense_tflops",
                question="What is the chip's dense throughput at each precision?",
                outcomes={"unknown": "TPP cannot be computed, so the ECCN cannot be determined"},
            )
        )
        return _Outcome(INDETERMINATE, None, tuple(t.findings), tuple(t.missing))
    if regime.get(TIERS) is not None:
        return _ic_outcome_2023(chip, m, datacenter, regime, t)
    if regime.get("3a090_2022.processing_performance_min") is not None:
        return _ic_outcome_2022(chip, m, regime, t)
    inst = regime.data.instruments["ac-2022"]
    t.add(
        "3A090.not_yet",
        f"ECCN 3A090 did not exist yet on this date; it was created effective {inst.effective}.",
        cite("15 CFR 774 Supp. 1", inst),
    )
    return _Outcome(NOT_3A090, None, tuple(t.findings), tuple(t.missing))


def _ic_outcome_2022(chip: Accelerator, m: ChipMetrics, regime: Regime, t: Ruling) -> _Outcome:
    pp, ppc = _need(regime, "3a090_2022.processing_performance_min")
    io, _ = _need(regime, "3a090_2022.io_rate_min_gbs")
    assert m.tpp is not None
    if m.tpp < pp:
        t.add(
            "3A090.2022", f"Processing performance {_fmt(m.tpp)} < {_fmt(pp)} (Oct-2022 test)", ppc
        )
        return _Outcome(NOT_3A090, None, tuple(t.findings), tuple(t.missing))
    if chip.interconnect_gbs is None:
        t.missing.append(
            MissingFact(
                fact="interconnect_gbs",
                question="What is the chip's aggregate bidirectional I/O transfer rate (GB/s)?",
                outcomes={
                    f">= {_fmt(io)} GB/s": "3A090.a (Oct-2022 text)",
                    f"< {_fmt(io)} GB/s": NOT_3A090,
                },
            )
        )
        return _Outcome(INDETERMINATE, None, tuple(t.findings), tuple(t.missing))
    both = f"processing performance {_fmt(m.tpp)} >= {_fmt(pp)}"
    if chip.interconnect_gbs >= io:
        text = f"{both} and I/O rate {_fmt(chip.interconnect_gbs)} >= {_fmt(io)} GB/s"
        t.add("3A090.2022", f"{text} (Oct-2022 test)", ppc)
        return _Outcome("3A090.a", "3A090.a (Oct 2022)", tuple(t.findings), tuple(t.missing))
    text = f"{both} but I/O rate {_fmt(chip.interconnect_gbs)} < {_fmt(io)} GB/s"
    t.add("3A090.2022", f"{text}: outside the Oct-2022 test (the A800/H800 design point)", ppc)
    return _Outcome(NOT_3A090, None, tuple(t.findings), tuple(t.missing))


def _ic_outcome_2023(
    chip: Accelerator, m: ChipMetrics, datacenter: bool | None, regime: Regime, t: Ruling
) -> _Outcome:
    assert m.tpp is not None
    tpp = m.tpp
    floor, note2c = _need(regime, "3a090.note2.non_datacenter_tpp_min")
    if datacenter is None and tpp < floor:
        yes = _ic_outcome_2023(chip, m, True, regime, Ruling())
        if yes.eccn == NOT_3A090:
            t.findings.extend(yes.findings)
            return _Outcome(NOT_3A090, None, tuple(t.findings), yes.missing)
        t.missing.append(
            MissingFact(
                fact="datacenter",
                question="Is the chip designed or marketed for use in datacenters?",
                outcomes={
                    "yes": yes.paragraph or yes.eccn,
                    "no": f"{NOT_3A090} (Note 2: TPP {_fmt(tpp)} < {_fmt(floor)})",
                },
            )
        )
        t.missing.extend(yes.missing)
        return _Outcome(INDETERMINATE, None, tuple(t.findings), tuple(t.missing))
    if datacenter is False and tpp < floor:
        text = f"Not designed or marketed for datacenters and TPP {_fmt(tpp)} < {_fmt(floor)}: 3A090 does not apply"
        t.add("3A090.note2", text, note2c)
        return _Outcome(NOT_3A090, None, tuple(t.findings), tuple(t.missing))
    if tpp < _pd_floor(regime):
        t.add("3A090.thresholds", f"TPP {_fmt(tpp)} is below every 3A090 TPP threshold", note2c)
        return _Outcome(NOT_3A090, None, tuple(t.findings), tuple(t.missing))
    tier = _tier_2023(tpp, m.performance_density, regime)
    if tier is None:
        options = _area_outcomes(tpp, regime)
        t.missing.append(
            MissingFact(
                fact="die_area_mm2",
                question="What is the applicable die area (all non-planar logic dies, mm2)?",
                outcomes={label: tier.label for label, tier in options},
            )
        )
        labels = {tier.eccn for _, tier in options}
        return _Outcome(
            labels.pop() if len(labels) == 1 else INDETERMINATE,
            None,
            tuple(t.findings),
            tuple(t.missing),
        )
    t.add(tier.rule, tier.text, tier.citation)
    if datacenter is False and tier.eccn != NOT_3A090:
        t.add(
            "3A090.note2",
            f"Not designed or marketed for datacenters but TPP {_fmt(tpp)} >= {_fmt(floor)}: stays {tier.eccn} "
            "(License Exception NAC may be available)",
            note2c,
        )
    return _Outcome(tier.eccn, tier.paragraph, tuple(t.findings), tuple(t.missing))


def _computer_outcome(ic: _Outcome, regime: Regime) -> _Outcome:
    """4A090: computers, assemblies and components containing 3A090 ICs."""
    t = Ruling()
    t.findings.extend(ic.findings)
    if ic.eccn in (NOT_3A090, INDETERMINATE):
        eccn = "not 4A090" if ic.eccn == NOT_3A090 else INDETERMINATE
        return _Outcome(eccn, None, tuple(t.findings), ic.missing)
    thresholds = regime.get(TIERS) or regime.get("3a090_2022.processing_performance_min")
    assert thresholds is not None  # the IC is 3A090, so a 3A090 test is in force
    inst = thresholds.instrument
    if ic.eccn == "3A090.b":
        b_in_force = regime.get("4a090.b.in_force")
        if b_in_force is None or not b_in_force.value:
            citation = (
                b_in_force.citation if b_in_force else cite("15 CFR 774 Supp. 1, 4A090", inst)
            )
            t.add(
                "4A090.b", "Contains 3A090.b ICs, but 4A090.b was reserved on this date", citation
            )
            return _Outcome("not 4A090", None, tuple(t.findings), ic.missing)
        t.add("4A090.b", "Contains 3A090.b ICs: 4A090.b", b_in_force.citation)
        return _Outcome("4A090.b", "4A090.b", tuple(t.findings), ic.missing)
    t.add(
        "4A090.a", "Contains 3A090.a ICs: 4A090.a", cite("15 CFR 774 Supp. 1, ECCN 4A090.a", inst)
    )
    return _Outcome("4A090.a", "4A090.a", tuple(t.findings), ic.missing)


def _hbm_outcome(chip: Accelerator, regime: Regime) -> _Outcome:
    t = Ruling()
    pv = regime.get("3a090.c.hbm_bandwidth_density_gt")
    if pv is None:
        inst = regime.data.instruments["hbm-2024-12"]
        t.add(
            "3A090.c",
            f"3A090.c (HBM) took effect {inst.effective}; not in force on this date",
            cite("15 CFR 774 Supp. 1", inst),
        )
        return _Outcome(NOT_3A090, None, tuple(t.findings), ())
    limit = float(pv.value)
    density = chip.hbm_bandwidth_density_gbs_per_mm2
    if density is None:
        t.missing.append(
            MissingFact(
                fact="hbm_bandwidth_density_gbs_per_mm2",
                question="What is the HBM stack's memory bandwidth density (GB/s per mm2)?",
                outcomes={f"> {limit}": "3A090.c", f"<= {limit}": NOT_3A090},
            )
        )
        return _Outcome(INDETERMINATE, None, tuple(t.findings), tuple(t.missing))
    if density > limit:
        t.add("3A090.c", f"Memory bandwidth density {density:.2f} > {limit} GB/s/mm2", pv.citation)
        if pv.period.compliance and regime.date < pv.period.compliance:
            t.add(
                "3A090.c.compliance",
                f"Compliance with 3A090.c is required from {pv.period.compliance}",
                pv.citation,
            )
        return _Outcome("3A090.c", "3A090.c", tuple(t.findings), ())
    t.add("3A090.c", f"Memory bandwidth density {density:.2f} <= {limit} GB/s/mm2", pv.citation)
    return _Outcome(NOT_3A090, None, tuple(t.findings), ())


def _zone(tpp: float | None, bw: float | None, regime: Regime, t: Ruling) -> bool | None:
    """The Jan-2026 case-by-case window: TPP < limit and total DRAM bandwidth < limit."""
    tpp_pv = regime.get("jan2026.zone.tpp_lt")
    bw_pv = regime.get("jan2026.zone.dram_bandwidth_lt_gbs")
    if tpp_pv is None or bw_pv is None:
        inst = regime.data.instruments["h200-2026"]
        t.add(
            "jan2026.zone",
            f"The Jan-2026 case-by-case window takes effect {inst.effective}; not in force on this date",
            cite("15 CFR 742.6(b)(10)", inst),
        )
        return False
    tpp_lt, bw_lt = float(tpp_pv.value), float(bw_pv.value)
    if tpp is not None and tpp >= tpp_lt:
        t.add(
            "jan2026.zone",
            f"Outside the Jan-2026 window: TPP {_fmt(tpp)} >= {_fmt(tpp_lt)}",
            tpp_pv.citation,
        )
        return False
    if bw is not None and bw >= bw_lt:
        t.add(
            "jan2026.zone",
            f"Outside the Jan-2026 window: total DRAM bandwidth {_fmt(bw)} >= {_fmt(bw_lt)} GB/s",
            bw_pv.citation,
        )
        return False
    if tpp is None or bw is None:
        fact = "dense_tflops" if tpp is None else "dram_bandwidth_gbs"
        t.missing.append(
            MissingFact(
                fact=fact,
                question=f"Needed for the Jan-2026 window (TPP < {_fmt(tpp_lt)} and DRAM bandwidth < {_fmt(bw_lt)} GB/s)",
                outcomes={
                    "inside both limits": "in the case-by-case window",
                    "at or above either": "outside the window",
                },
            )
        )
        return None
    t.add(
        "jan2026.zone",
        f"Inside the Jan-2026 window: TPP {_fmt(tpp)} < {_fmt(tpp_lt)} and total DRAM bandwidth {_fmt(bw)} < {_fmt(bw_lt)} GB/s",
        tpp_pv.citation,
    )
    return True


def _us_available(chip: Accelerator, regime: Regime, t: Ruling) -> bool | None:
    required = regime.get("jan2026.us_availability_required")
    when = regime.get("jan2026.us_availability_date")
    if required is None or when is None:
        return None
    if not required.value:
        t.add(
            "jan2026.availability",
            "US commercial availability is not required under the active overlay",
            required.citation,
        )
        return None
    avail = chip.us_availability
    cutoff: dt.date = when.value
    note = f" ({avail.note.rstrip('.')})" if avail.note else ""
    if avail.available is False:
        t.add(
            "jan2026.availability",
            f"Not commercially available in the US{note}: ineligible for the Jan-2026 window",
            required.citation,
        )
        return False
    if avail.available is None or avail.since_year is None or avail.since_year >= cutoff.year:
        t.missing.append(
            MissingFact(
                fact="us_availability",
                question=f"Was the item commercially available in the US on {cutoff}?",
                outcomes={
                    "yes": "eligible for the Jan-2026 window",
                    "no": "ineligible: presumption of denial stays",
                },
            )
        )
        return None
    t.add(
        "jan2026.availability",
        f"Commercially available in the US since {avail.since_year}, before {cutoff}",
        required.citation,
    )
    return True


def _sec232(
    tpp: float | None, bw: float | None, regime: Regime, t: Ruling
) -> tuple[str | None, float | None]:
    pv = regime.get("sec232.bands")
    if pv is None:
        return None, None
    if tpp is None or bw is None:
        t.missing.append(
            MissingFact(
                fact="dense_tflops" if tpp is None else "dram_bandwidth_gbs",
                question="Needed to place the item in the Section 232 duty bands",
                outcomes={b["name"]: f"{b['duty_rate']:.0%} duty" for b in pv.value}
                | {"none": "no duty"},
            )
        )
        return None, None
    for band in pv.value:
        if (
            band["tpp_gt"] < tpp < band["tpp_lt"]
            and band["dram_bandwidth_gt_gbs"] < bw < band["dram_bandwidth_lt_gbs"]
        ):
            text = (
                f"In Section 232 {band['name']}: {_fmt(band['tpp_gt'])} < TPP < {_fmt(band['tpp_lt'])} and "
                f"{_fmt(band['dram_bandwidth_gt_gbs'])} < DRAM bandwidth < {_fmt(band['dram_bandwidth_lt_gbs'])} GB/s: "
                f"{band['duty_rate']:.0%} duty on import unless a use-based exemption applies"
            )
            t.add("sec232.band", text, pv.citation)
            return str(band["name"]), float(band["duty_rate"])
    t.add("sec232.band", "Outside both Section 232 duty bands", pv.citation)
    return None, None


def _bit_lengths(regime: Regime, tf32_bits: int) -> dict[str, float]:
    base = regime.get("tpp.bit_lengths")
    if base is None:
        raise KeyError("tpp.bit_lengths not in force")
    return {**base.value, "tf32": tf32_bits}


def _tf32_readings(regime: Regime) -> tuple[int, ...]:
    pv = regime.get("tpp.tf32_bit_length_readings")
    return tuple(int(x) for x in pv.value) if pv else (32,)


def _core(
    chip: Accelerator, regime: Regime, tf32_bits: int
) -> tuple[_Outcome, ChipMetrics, Ruling, bool | None]:
    """ECCN and window test under one TF32 reading."""
    bits = _bit_lengths(regime, tf32_bits)
    ic = (
        chip.contains
        if chip.kind == "computer" and isinstance(chip.contains, Accelerator)
        else chip
    )
    m = compute_metrics(ic, bits)
    t = Ruling()
    if chip.kind == "hbm_stack":
        outcome = _hbm_outcome(chip, regime)
        return outcome, m, t, None
    outcome = _ic_outcome(ic, m, ic.datacenter, regime)
    if chip.kind == "computer":
        outcome = _computer_outcome(outcome, regime)
    zone = _zone(m.tpp, ic.dram_bandwidth_gbs, regime, t)
    return outcome, m, t, zone


def classify(
    item: Accelerator,
    regime: Regime | dt.date | str,
    overlays: Iterable[str] = (),
    catalog: Catalog | None = None,
) -> Classification:
    """Classify one chip (or computer, or HBM stack) on the regime's date."""
    if not isinstance(regime, Regime):
        regime = Regime.at(regime, overlays)
    if item.kind == "computer" and not isinstance(item.contains, Accelerator):
        raise InputError("item.contains", "a computer must name the accelerator it contains")
    readings = _tf32_readings(regime)
    outcome, m, zt, zone = _core(item, regime, readings[0])
    t = Ruling()
    ic = (
        item.contains
        if item.kind == "computer" and isinstance(item.contains, Accelerator)
        else item
    )
    if m.ics_per_unit > 1:
        t.add(
            "3A090.per_ic",
            f"3A090 applies per integrated circuit: the unit carries {m.ics_per_unit} ICs, so TPP and "
            "die area are divided evenly between them (assumption)",
            cite(
                "15 CFR 774 Supp. 1, ECCN 3A090, Technical Note",
                regime.data.instruments["acs-2023"],
            ),
        )
    if _tf32_matters(item, regime, readings):
        _tf32_ambiguity(item, regime, readings, outcome, zone, m, t)
    t.findings.extend(outcome.findings)
    t.missing.extend(outcome.missing)
    t.findings.extend(zt.findings)
    t.missing.extend(zt.missing)
    controlled = (
        None if outcome.eccn == INDETERMINATE else outcome.eccn.startswith(("3A090", "4A090"))
    )
    if zone and controlled is False:
        t.add(
            "jan2026.relevance",
            "The window only changes review policy for items 3A090/4A090 control; this item needs no 3A090 license",
            "15 CFR 742.6(b)(10)",
        )
    available = _us_available(ic, regime, t) if item.kind != "hbm_stack" else None
    band, rate = (
        _sec232(m.tpp, ic.dram_bandwidth_gbs, regime, t)
        if item.kind != "hbm_stack"
        else (None, None)
    )
    aggregate = None
    if item.kind == "computer" and m.tpp is not None and item.contains_count:
        aggregate = m.tpp * m.ics_per_unit * item.contains_count
        _computer_window_ambiguity(aggregate, zone, regime, t)
    _regime_context(regime, t)
    return Classification(
        name=item.name,
        item_id=item.key,
        kind=item.kind,
        tpp=m.tpp,
        tpp_precisions=list(m.tpp_precisions),
        tf32_bits=readings[0],
        performance_density=m.performance_density,
        applicable_die_area_mm2=m.applicable_die_area_mm2,
        total_dram_bandwidth_gbs=ic.dram_bandwidth_gbs,
        interconnect_gbs=ic.interconnect_gbs,
        datacenter=ic.datacenter,
        aggregate_tpp=aggregate,
        hbm_bandwidth_density_gbs_per_mm2=item.hbm_bandwidth_density_gbs_per_mm2,
        eccn=eccn_fields(outcome.eccn)[0],
        eccn_status=eccn_fields(outcome.eccn)[1],
        eccn_paragraph=outcome.paragraph,
        controlled=controlled,
        jan2026_case_by_case_zone=zone,
        jan2026_us_available_at_publication=available,
        sec232_band=band,
        sec232_duty_rate=rate,
        equivalents=_equivalents(m, regime, readings[0], catalog),
        findings=with_roles(t.findings, regime),
        missing_facts=t.missing,
        regime=regime.as_dict(),
    )


def _tf32_matters(item: Accelerator, regime: Regime, readings: tuple[int, ...]) -> bool:
    ic = (
        item.contains
        if item.kind == "computer" and isinstance(item.contains, Accelerator)
        else item
    )
    tf32 = ic.dense_tflops.tf32
    if tf32 is None or item.kind == "hbm_stack":
        return False
    base = compute_metrics(ic, _bit_lengths(regime, 0)).tpp or 0.0
    return any(tf32 * bits / ic.ics_per_unit > base for bits in readings)


def _tf32_ambiguity(
    item: Accelerator,
    regime: Regime,
    readings: tuple[int, ...],
    primary: _Outcome,
    zone: bool | None,
    m: ChipMetrics,
    t: Ruling,
) -> None:
    """TF32 sets the TPP under some reading: report every reading and what it changes."""
    outcomes: dict[str, str] = {}
    differs = False
    pv = regime.get("tpp.tf32_bit_length_readings")
    citation = pv.citation if pv else "15 CFR 774 Supp. 1, ECCN 3A090, Technical Note"
    for bits in readings:
        out, mm, _, z = _core(item, regime, bits)
        tpp = mm.tpp or 0.0
        outcomes[f"TF32 counted as {bits} bits"] = (
            f"TPP {_fmt(tpp)}: {out.paragraph or out.eccn}; Jan-2026 window: {'inside' if z else 'outside' if z is False else 'unknown'}"
        )
        differs |= out.eccn != primary.eccn or z != zone
    t.add(
        "tpp.tf32",
        f"TF32 throughput sets the TPP and its bit length is ambiguous (19-bit format in 32-bit containers); "
        f"this answer counts it as {readings[0]} bits. "
        + "; ".join(f"{k} -> {v}" for k, v in outcomes.items()),
        citation,
    )
    if differs:
        t.missing.append(
            MissingFact(
                fact="tf32_bit_length",
                kind="legal_ambiguity",
                question="Does TPP count TF32 at 19 bits (format width) or 32 bits (container width)?",
                outcomes=outcomes,
            )
        )


def _computer_window_ambiguity(
    aggregate: float, zone: bool | None, regime: Regime, t: Ruling
) -> None:
    pv = regime.get("jan2026.zone.tpp_lt")
    if pv is None or not zone:
        return
    if aggregate >= float(pv.value):
        t.missing.append(
            MissingFact(
                fact="jan2026_per_ic_or_aggregate",
                kind="legal_ambiguity",
                question="Does the Jan-2026 TPP limit apply per IC or to the whole computer?",
                outcomes={
                    "per IC": "inside the window",
                    f"aggregate (TPP {_fmt(aggregate)})": "outside the window",
                },
            )
        )
        t.add(
            "jan2026.computer",
            f"Per IC the item is inside the window, but the computer's aggregate TPP {_fmt(aggregate)} is not; the rule does not say which applies",
            pv.citation,
        )


def _regime_context(regime: Regime, t: Ruling) -> None:
    meta = regime.data.meta
    if regime.beyond_knowledge_horizon:
        t.add(
            "regime.horizon",
            f"The date is after the data's knowledge horizon {meta.knowledge_horizon}: {meta.knowledge_note}",
            "computegate regime data",
        )
    for sentence in regime.overlay_status():
        t.add("regime.overlay", sentence, "computegate overlay")


def _equivalents(
    m: ChipMetrics, regime: Regime, tf32_bits: int, catalog: Catalog | None
) -> dict[str, dict[str, float | None]]:
    refs = (catalog or Catalog.bundled()).reference_metrics(_bit_lengths(regime, tf32_bits))
    return {name: equivalents(m, ref) for name, ref in refs.items()}
