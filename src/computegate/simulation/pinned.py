"""The model with chosen inputs pinned draw by draw: the hook a sensitivity sweep evaluates.

Every uncertain input of a scenario is one named random factor of the Monte Carlo (the names its
`Sampler` asks for, e.g. `smuggling[2025]`, `retirement.years`, and each common shock as
`shock:NAME`). Each draw of a factor is a quantile q of that input's own distribution, mapped
through the same transform the Monte Carlo uses; a series tied to a shock mixes its own factor with
the shock's, exactly as in `simulate`. Pinning by quantile rather than by value is what lets one
hook serve every kind of input (lognormal, triangular, uniform, and the standard-normal shocks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
from scipy.special import ndtri

from computegate.simulation.model import Context, Sampler, run_scenario, transform
from computegate.simulation.schema import Scenario, Uncertain

_NORMAL = NormalDist()


@dataclass(frozen=True)
class Input:
    """One uncertain input: its factor name and distribution (`shock` for a common shock, a
    standard-normal factor whose "value" is its z-score)."""

    name: str
    dist: str
    uncertain: Uncertain | None

    def value(self, q: float) -> float:
        """The input's value at quantile q of its own distribution (a series tied to a shock
        reaches it when its factor and the shock's together sit at q)."""
        z = _NORMAL.inv_cdf(q)
        if self.uncertain is None:
            return z
        return float(transform(self.uncertain, np.array([z]))[0])


@dataclass
class _Probe(Sampler):
    """Every input at its median; records which distribution each factor name draws from."""

    seen: dict[str, Uncertain] = field(default_factory=dict)

    def draw(self, u: Uncertain, name: str, shock: str | None = None) -> np.ndarray:
        self.seen.setdefault(name, u)
        return super().draw(u, name, shock)


@dataclass
class _Pinned(Sampler):
    """Named factors take the given standard-normal columns; every other factor its `rest` quantile."""

    columns: dict[str, np.ndarray] = field(default_factory=dict)
    rest: float = 0.5

    def _z(self, name: str) -> np.ndarray:
        if name not in self.names:
            self.names.append(name)
        if name in self.columns:
            return self.columns[name]
        return np.full(self.n, _NORMAL.inv_cdf(self.rest))


def uncertain_inputs(
    scenario: Scenario, years: Sequence[int], context: Context, basis: str | None = None
) -> list[Input]:
    """The scenario's uncertain inputs (those its profile and policy give a range), in the order
    the model first asks for them. Point values are not inputs: nothing varies them."""
    probe = _Probe(1, 0, pin_all=0.5)
    run_scenario(scenario, list(years), probe, context, basis)
    out = []
    for name in probe.names:  # only factors actually drawn, so fixed values are left out
        u = probe.seen.get(name)
        out.append(Input(name, "shock" if u is None else u.dist, u))
    return out


def evaluate(
    scenario: Scenario,
    years: Sequence[int],
    quantiles: Mapping[str, np.ndarray],
    context: Context,
    basis: str | None = None,
    rest: float = 0.5,
) -> dict[str, np.ndarray]:
    """Every output metric (years x draws) with each named input pinned, draw by draw, to the
    quantile given for it (one array per input, all of one length: the number of draws). Inputs
    not named sit at their `rest` quantile (the median). Raises ValueError for an unknown input
    name, arrays of different lengths, or a quantile outside (0, 1)."""
    lengths = {len(q) for q in quantiles.values()}
    if len(lengths) > 1:
        raise ValueError(f"quantile arrays of different lengths: {sorted(lengths)}")
    n = lengths.pop() if lengths else 1
    columns = {}
    for name, q in quantiles.items():
        q = np.asarray(q, dtype=float)
        if not ((q > 0) & (q < 1)).all():
            raise ValueError(f"{name}: quantiles must lie strictly between 0 and 1")
        columns[name] = ndtri(q)
    sampler = _Pinned(n, 0, columns=columns, rest=rest)
    series = run_scenario(scenario, list(years), sampler, context, basis).series
    unknown = sorted(set(quantiles) - set(sampler.names))
    if unknown:
        raise ValueError(
            f"unknown input(s) {', '.join(unknown)}: the scenario draws "
            f"{len(sampler.names)} inputs ({', '.join(sampler.names[:5])}, ...)"
        )
    return series
