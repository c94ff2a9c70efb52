"""Give each finding the role its rule id has in the regime's rule registry (rules.yaml)."""

from __future__ import annotations

from collections.abc import Iterable

from computegate.model.findings import Finding
from computegate.regime import Regime

UNCONFIRMED = "data.unconfirmed"


def with_roles(findings: Iterable[Finding], regime: Regime) -> list[Finding]:
    """Roles from the registry, and a closing note when a decisive step rests on data the
    regime marks unconfirmed — the answer must say so, not hide it."""
    rules = regime.data.rules
    out = []
    for f in findings:
        role = rules.role(f.rule)
        # the finding was validated when made; only its role changes (no second validation)
        same = f.role == role
        out.append(
            f
            if same
            else Finding.model_construct(rule=f.rule, text=f.text, citation=f.citation, role=role)
        )
    shaky = [f for f in out if f.role == "decisive" and f.citation.confidence == "unconfirmed"]
    if shaky:
        where = "; ".join(f"{f.rule} ({f.citation})" for f in shaky)
        out.append(
            Finding(
                rule=UNCONFIRMED,
                text=f"This answer rests on data marked unconfirmed: {where}",
                citation=shaky[0].citation,
                role="context",
            )
        )
    return out
