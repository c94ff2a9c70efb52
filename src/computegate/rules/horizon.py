"""Scheduled changes past the knowledge horizon: show both outcomes instead of assuming either.

The data knows the law up to `meta.knowledge_horizon`. A value it schedules to change after that date
(a suspension ending, an authorisation lapsing) may or may not have changed, so a decision that turns on
it gets a `legal_status_unknown` missing fact and a finding naming the horizon.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from computegate.regime import ParamValue, Regime
from computegate.rules.findings import Finding, MissingFact


def _label(pv: ParamValue | None) -> str:
    return "not in force" if pv is None else f"{pv.name} = {pv.value}"


def status_unknown(
    regime: Regime, name: str, question: str, outcome: Callable[[Any], str]
) -> tuple[MissingFact, Finding] | None:
    """If `name` is scheduled to change between the horizon and the regime date: the missing fact
    with the outcome under the scheduled value and under the value last known, and a finding."""
    change = regime.scheduled_change(name)
    if change is None:
        return None
    then, now = change
    horizon = regime.data.meta.knowledge_horizon
    source = now if now is not None else then
    assert source is not None
    end = source.period.end
    when = source.period.effective if now is not None or end is None else end + dt.timedelta(days=1)
    missing = MissingFact(
        fact=name,
        kind="legal_status_unknown",
        question=f"{question} The data ends at its knowledge horizon {horizon}; it schedules a change on {when} that it cannot confirm.",
        outcomes={
            f"as scheduled ({_label(now)})": outcome(None if now is None else now.value),
            f"as last known on {horizon} ({_label(then)})": outcome(
                None if then is None else then.value
            ),
        },
    )
    finding = Finding(
        rule="regime.horizon.scheduled_change",
        text=f"{source.period.note or name} The decision date is after the knowledge horizon {horizon}, so both outcomes are shown.",
        citation=source.citation,
    )
    return missing, finding
