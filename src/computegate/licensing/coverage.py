"""Does a registered licence cover a request, and what remains on it? Pure: licences in, findings out.

A licence authorises only the transaction it describes (15 CFR 750.7): its destination, its parties,
its items, within its limits and validity. Every licence that fails says which of these it fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from computegate.licensing.model import Licence, LicenceLine, is_eccn
from computegate.model.findings import Finding

LICENCE_CFR = (
    "15 CFR 750.7"  # issuance and scope of licences; shipping tolerances (750.11) not applied
)


@dataclass(frozen=True)
class LineState:
    """A licence line with what has been shipped against it so far."""

    line_no: int
    line: LicenceLine
    quantity_used: int = 0
    value_used_usd: float = 0.0

    @property
    def remaining_quantity(self) -> int | None:
        return None if self.line.quantity is None else self.line.quantity - self.quantity_used

    @property
    def remaining_value(self) -> float | None:
        return None if self.line.value_usd is None else self.line.value_usd - self.value_used_usd


@dataclass(frozen=True)
class LicenceState:
    licence: Licence
    lines: tuple[LineState, ...]


def state_json(state: LicenceState) -> dict[str, Any]:
    """A licence with what has been shipped against each line and what remains, as JSON."""
    return state.licence.model_dump(mode="json") | {
        "lines": [
            s.line.model_dump(mode="json")
            | {
                "line_no": s.line_no,
                "quantity_used": s.quantity_used,
                "value_used_usd": s.value_used_usd,
                "remaining_quantity": s.remaining_quantity,
                "remaining_value_usd": s.remaining_value,
            }
            for s in state.lines
        ]
    }


@dataclass(frozen=True)
class Coverage:
    status: Literal["covered", "partly_covered", "not_covered"]
    licence: str | None = None
    line_no: int | None = None
    covered_quantity: int = 0
    remaining_quantity: int | None = None
    remaining_value_usd: float | None = None
    days_left: int | None = None
    findings: list[Finding] = field(default_factory=list)


def line_matches(line: LicenceLine, product: str, eccn: str | None) -> bool:
    """A line names the product (catalog name) or an ECCN that is, or contains, the item's ECCN."""
    if is_eccn(line.item):
        return eccn is not None and (eccn == line.item or eccn.startswith(f"{line.item}."))
    return line.item.casefold() == product.casefold()


def _cite(licence: Licence) -> str:
    return f"licence {licence.number} (issued {licence.issued}, expires {licence.expires}); {LICENCE_CFR}"


def _why_not(
    state: LicenceState, product: str, eccn: str | None, to: str, end_user: str | None, on: dt.date
) -> tuple[str | None, list[LineState]]:
    lic = state.licence
    if lic.destination != to:
        return f"it is for {lic.destination}, not {to}", []
    if end_user is None:
        return "the request names no end user to match against the licence's parties", []
    if not lic.names(end_user):
        named = ", ".join(p.name for p in lic.parties)
        return f"{end_user!r} is not a party to it ({named})", []
    if on < lic.issued:
        return f"it is not valid before {lic.issued}", []
    if on > lic.expires:
        return f"it expired on {lic.expires}", []
    lines = [s for s in state.lines if line_matches(s.line, product, eccn)]
    if not lines:
        return f"no line covers {product} ({eccn or 'no ECCN'})", []
    live = [
        s
        for s in lines
        if (s.remaining_quantity is None or s.remaining_quantity > 0)
        and (s.remaining_value is None or s.remaining_value > 0)
    ]
    if not live:
        return "it is exhausted (no quantity or value left on its matching lines)", []
    return None, live


def coverage(
    states: list[LicenceState],
    *,
    product: str,
    eccn: str | None,
    to_country: str,
    end_user: str | None,
    on: dt.date,
    quantity: int,
    value_usd: float | None = None,
) -> Coverage:
    """The best registered licence for this request: one that covers it whole, else the largest part."""
    refusals: list[Finding] = []
    best: Coverage | None = None
    for state in states:
        reason, live = _why_not(state, product, eccn, to_country, end_user, on)
        lic = state.licence
        if reason is not None:
            refusals.append(
                Finding(
                    rule="licence.not_covering",
                    text=f"Licence {lic.number} does not cover this: {reason}",
                    citation=_cite(lic),
                )
            )
            continue
        for line in live:
            candidate = _line_cover(lic, line, on, quantity, value_usd)
            if best is None or _better(candidate, best):
                best = candidate
    if best is None:
        text = (
            "No registered licence covers this request"
            if refusals
            else "No licence is registered for this request's destination and item"
        )
        return Coverage(
            "not_covered",
            findings=[*refusals, Finding(rule="licence.none", text=text, citation=LICENCE_CFR)],
        )
    return Coverage(**{**best.__dict__, "findings": [*best.findings, *refusals]})


def _line_cover(
    lic: Licence, state: LineState, on: dt.date, quantity: int, value_usd: float | None
) -> Coverage:
    rem_q = state.remaining_quantity
    rem_v = state.remaining_value
    covered = quantity if rem_q is None else min(quantity, rem_q)
    short: list[str] = []
    if rem_q is not None and rem_q < quantity:
        short.append(f"{rem_q:,} of {quantity:,} units remain")
    if rem_v is not None and value_usd is not None and rem_v < value_usd:
        short.append(f"${rem_v:,.2f} of ${value_usd:,.2f} remain")
        if value_usd > 0:
            covered = min(covered, int(quantity * rem_v / value_usd))
    days = (lic.expires - on).days
    left = ", ".join(
        [
            *([f"{rem_q:,} units" if rem_q is not None else "no quantity limit"]),
            *([f"${rem_v:,.2f}" if rem_v is not None else "no value limit"]),
            f"{days} days (to {lic.expires})",
        ]
    )
    if short:
        status: Literal["covered", "partly_covered"] = "partly_covered"
        text = f"Licence {lic.number} line {state.line_no} ({state.line.item}) covers only part of this: {'; '.join(short)}. Left: {left}"
    else:
        status = "covered"
        text = f"Licence {lic.number} line {state.line_no} ({state.line.item}) covers this. Left before this shipment: {left}"
    return Coverage(
        status,
        licence=lic.number,
        line_no=state.line_no,
        covered_quantity=covered,
        remaining_quantity=rem_q,
        remaining_value_usd=rem_v,
        days_left=days,
        findings=[Finding(rule=f"licence.{status}", text=text, citation=_cite(lic))],
    )


def _better(a: Coverage, b: Coverage) -> bool:
    """Whole cover beats partial; then more units covered; then the licence expiring first."""
    rank = {"covered": 2, "partly_covered": 1, "not_covered": 0}
    return (rank[a.status], a.covered_quantity, -(a.days_left or 0)) > (
        rank[b.status],
        b.covered_quantity,
        -(b.days_left or 0),
    )
