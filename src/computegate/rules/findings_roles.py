"""Give each finding the role its rule id has in the regime's rule registry (rules.yaml)."""

from __future__ import annotations

from collections.abc import Iterable

from computegate.model.findings import Finding
from computegate.regime import Regime


def with_roles(findings: Iterable[Finding], regime: Regime) -> list[Finding]:
    rules = regime.data.rules
    out = []
    for f in findings:
        role = rules.role(f.rule)
        out.append(f if f.role == role else f.model_copy(update={"role": role}))
    return out
