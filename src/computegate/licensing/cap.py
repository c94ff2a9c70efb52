"""The January-2026 volume cap: exports of a product to China and Macau, in aggregate TPP, may not
exceed a share (50%) of the same product's aggregate TPP shipped to US customers for US end use.

The share, the measure and the destinations are regime parameters; the arithmetic is exact
(fractions), so a shipment that lands exactly on the cap is allowed and one unit more is not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from computegate.regime import Regime
from computegate.rules.findings import Finding

CAP_PARAMETER = "jan2026.volume_cap_share"


@dataclass(frozen=True)
class CapStatus:
    product: str
    applies: bool
    share: float | None = None
    us_tpp: float = 0.0
    capped_tpp: float = 0.0
    proposed_tpp: float = 0.0
    limit_tpp: float = 0.0
    headroom_tpp: float = 0.0
    headroom_units: int | None = None
    fits: bool = True
    findings: list[Finding] = field(default_factory=list)


def cap_status(
    product: str,
    tpp_per_unit: float | None,
    us_shipped: list[tuple[float, int]],
    capped_shipped: list[tuple[float, int]],
    regime: Regime,
    proposed_units: int = 0,
) -> CapStatus:
    """Headroom under the cap on the regime's date, and whether `proposed_units` more would fit.

    Shipments come as (TPP per unit, units) pairs so that the sums stay exact.
    """
    pv = regime.get(CAP_PARAMETER)
    if pv is None:
        return CapStatus(
            product,
            applies=False,
            findings=[
                Finding(
                    rule="jan2026.volume_cap",
                    text=f"No volume cap is in force on {regime.date}",
                    citation=f"regime of {regime.date}: {CAP_PARAMETER} not in force",
                )
            ],
        )
    share = Fraction(str(pv.value))
    us = sum((Fraction(tpp) * units for tpp, units in us_shipped), Fraction(0))
    capped = sum((Fraction(tpp) * units for tpp, units in capped_shipped), Fraction(0))
    unit = Fraction(tpp_per_unit) if tpp_per_unit else None
    proposed = unit * proposed_units if unit is not None else Fraction(0)
    limit = share * us
    headroom = limit - capped
    fits = capped + proposed <= limit
    units = max(0, math.floor(headroom / unit)) if unit else None
    reading = pv.period.note or ""
    text = (
        f"{product}: {float(capped):,.0f} TPP shipped to China/Macau against a cap of "
        f"{float(share):.0%} × {float(us):,.0f} TPP shipped to US customers for US end use = "
        f"{float(limit):,.0f}; headroom {float(headroom):,.0f} TPP"
        + (f" ({units:,} units)" if units is not None else "")
    )
    findings = [Finding(rule="jan2026.volume_cap", text=text, citation=pv.citation)]
    if proposed_units:
        verdict = "fits under" if fits else "would exceed"
        findings.append(
            Finding(
                rule="jan2026.volume_cap",
                text=f"{proposed_units:,} more units ({float(proposed):,.0f} TPP) {verdict} the cap",
                citation=pv.citation,
            )
        )
    if reading:
        findings.append(
            Finding(rule="jan2026.volume_cap.reading", text=reading, citation=pv.citation)
        )
    return CapStatus(
        product,
        applies=True,
        share=float(share),
        us_tpp=float(us),
        capped_tpp=float(capped),
        proposed_tpp=float(proposed),
        limit_tpp=float(limit),
        headroom_tpp=float(headroom),
        headroom_units=units,
        fits=fits,
        findings=findings,
    )
