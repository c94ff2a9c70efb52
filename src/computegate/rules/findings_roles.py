"""Give each finding the role its rule id has in the regime's rule registry (rules.yaml)."""

from __future__ import annotations

from collections.abc import Iterable

from computegate.model.built import built
from computegate.model.findings import Finding, Role
from computegate.regime import Regime

UNCONFIRMED = "data.unconfirmed"


def _roles(regime: Regime) -> dict[str, Role]:
    """Each rule id's role, looked up in the registry once per regime data."""
    roles: dict[str, Role] | None = regime.data.compiled.get("roles")
    if roles is None:
        roles = regime.data.compiled["roles"] = {}
    return roles


def with_roles(findings: Iterable[Finding], regime: Regime) -> list[Finding]:
    """Roles from the registry, and a closing note when a decisive step rests on data the
    regime marks unconfirmed — the answer must say so, not hide it."""
    roles = _roles(regime)
    out: list[Finding] = []
    shaky: list[Finding] = []
    for given in findings:
        role = roles.get(given.rule) or roles.setdefault(
            given.rule, regime.data.rules.role(given.rule)
        )
        f = given if given.role == role else built(Finding, {**given.__dict__, "role": role})
        out.append(f)
        if role == "decisive" and f.citation.confidence == "unconfirmed":
            shaky.append(f)
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
