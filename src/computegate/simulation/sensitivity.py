"""Global sensitivity of the model: a Sobol or grid design over inputs' quantiles, and the indices.

A design is a table of runs x inputs holding, for each run, the quantile each input is pinned to
(see `pinned`). Inputs range over the same central band of their own distributions: quantiles
`tail` to `1 - tail` (by default the 5th to 95th percentile, so a lognormal's range is exactly the
low..high its profile states, and a triangular or uniform input loses its outer 5% on each side).

* `sobol`: Saltelli's scheme (SALib's Sobol-sequence sampler, N x (D + 2) runs), quantiles uniform
  in the band, so each input follows its own distribution truncated to the band. Indices (first
  order S1 and total ST, with bootstrap confidence) by SALib's Jansen/Saltelli estimators.
* `grid`: a full factorial of `levels` equally spaced quantiles per input (ends included), L^D
  runs. Its indices are the exact variance decomposition over the grid, every point weighted
  equally (so the ends weigh more than the distribution gives them); no confidence is needed.

Runs are evaluated in fixed chunks of the design, the same chunks whatever runs them, so a sweep on
a cluster returns the numbers a local sweep returns.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from computegate.simulation.model import SUMMARY_METRICS, Context
from computegate.simulation.pinned import evaluate
from computegate.simulation.schema import Scenario

DesignKind = Literal["sobol", "grid"]
DEFAULT_TAIL = 0.05  # inputs range over their 5th..95th percentiles
BOOTSTRAP = 100  # resamples for the Sobol confidence intervals
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Design:
    kind: DesignKind
    names: tuple[str, ...]
    quantiles: np.ndarray  # runs x inputs
    size: int  # sobol: base samples N; grid: levels
    seed: int
    tail: float

    @property
    def runs(self) -> int:
        return int(self.quantiles.shape[0])

    def chunks(self, rows: int) -> list[tuple[int, np.ndarray]]:
        """(first run, quantiles) for consecutive blocks of `rows` runs."""
        return [
            (start, self.quantiles[start : start + rows]) for start in range(0, self.runs, rows)
        ]

    def frame(self) -> pl.DataFrame:
        """The design as a table: run number and one quantile column per input."""
        return pl.DataFrame(
            {"run": np.arange(self.runs), **dict(zip(self.names, self.quantiles.T, strict=True))}
        )


def band(tail: float) -> tuple[float, float]:
    """The quantiles inputs range over (0 and 1 themselves are infinite for some distributions)."""
    return max(tail, 1e-9), min(1 - tail, 1 - 1e-9)


def design_runs(kind: DesignKind, inputs: int, size: int) -> int:
    """How many model runs a design needs (checked before it is built)."""
    return size * (inputs + 2) if kind == "sobol" else size**inputs


def make_design(
    kind: DesignKind, names: Sequence[str], size: int, seed: int = 0, tail: float = DEFAULT_TAIL
) -> Design:
    """`size`: the Sobol base sample N (a power of two) or the grid's levels per input (>= 2)."""
    if not names:
        raise ValueError("no inputs to sweep")
    if not 0 <= tail < 0.5:
        raise ValueError(f"tail {tail} must be in [0, 0.5)")
    low, high = band(tail)
    if kind == "sobol":
        from SALib.sample import sobol as sobol_sample  # here: workers running the model skip it

        if size < 2 or size & (size - 1):
            raise ValueError(f"sobol samples {size} must be a power of two (>= 2)")
        problem = {
            "num_vars": len(names),
            "names": list(names),
            "bounds": [[low, high]] * len(names),
        }
        q = sobol_sample.sample(problem, size, calc_second_order=False, seed=seed)
    else:
        if size < 2:
            raise ValueError(f"grid levels {size} must be at least 2")
        levels = np.linspace(low, high, size)
        q = np.array(list(itertools.product(levels, repeat=len(names))))
    return Design(kind, tuple(names), np.asarray(q, dtype=float), size, seed, tail)


@dataclass(frozen=True)
class Index:
    name: str
    s1: float
    s1_conf: float | None
    st: float
    st_conf: float | None


def indices(design: Design, y: np.ndarray) -> list[Index]:
    """First-order and total indices of output `y` (one value per run), largest total first.
    Raises ValueError when y has non-finite values or does not vary (nothing to apportion)."""
    y = np.asarray(y, dtype=float)
    if y.shape != (design.runs,):
        raise ValueError(f"expected {design.runs} outputs, got {y.shape}")
    bad = int((~np.isfinite(y)).sum())
    if bad:
        raise ValueError(f"the output is not finite in {bad:,} of {design.runs:,} runs")
    if float(np.ptp(y)) == 0.0:
        raise ValueError("the output does not vary over the design: nothing to apportion")
    if design.kind == "sobol":
        from SALib.analyze import sobol as sobol_analyze

        problem = {"num_vars": len(design.names), "names": list(design.names)}
        si = sobol_analyze.analyze(
            problem,
            y,
            calc_second_order=False,
            num_resamples=BOOTSTRAP,
            conf_level=CONFIDENCE,
            seed=design.seed,
        )
        out = [
            Index(n, float(s1), float(c1), float(st), float(ct))
            for n, s1, c1, st, ct in zip(
                design.names, si["S1"], si["S1_conf"], si["ST"], si["ST_conf"], strict=True
            )
        ]
    else:
        out = _grid_indices(design, y)
    return sorted(out, key=lambda i: (-i.st, i.name))


def _grid_indices(design: Design, y: np.ndarray) -> list[Index]:
    """Exact over the grid: S1_i = Var(E[y | x_i]) / Var(y), ST_i = E[Var(y | x_~i)] / Var(y)."""
    d = len(design.names)
    cube = y.reshape((design.size,) * d)  # itertools.product order: last input fastest
    total = float(cube.var())
    out = []
    for i, name in enumerate(design.names):
        others = tuple(a for a in range(d) if a != i)
        first = float(cube.mean(axis=others).var()) / total if others else 1.0
        rest = float(cube.var(axis=i).mean()) / total
        out.append(Index(name, first, None, rest, None))
    return out


Chunk = tuple[int, np.ndarray]  # first run, quantiles (runs x inputs)
Outputs = dict[str, np.ndarray]  # metric -> one value per run
ChunkRunner = Callable[[list[Chunk]], Iterable[tuple[int, Outputs]]]


def in_process(evaluator: Callable[[np.ndarray], Outputs]) -> ChunkRunner:
    """Run the chunks here, one after another."""
    return lambda chunks: ((start, evaluator(q)) for start, q in chunks)


def run_design(design: Design, rows: int, runner: ChunkRunner) -> Outputs:
    """Every run's outputs in design order; `runner` may return the chunks in any order."""
    chunks = design.chunks(rows)
    got = dict(runner(chunks))
    if sorted(got) != [start for start, _ in chunks]:
        raise ValueError("a chunk of the design is missing from the results")
    return {m: np.concatenate([got[s][m] for s, _ in chunks]) for m in got[chunks[0][0]]}


@dataclass(frozen=True)
class ModelRuns:
    """The model as a design evaluator: the summary metrics in `year`, inputs pinned per run.
    Picklable (no Context inside), so a cluster can ship it; the caller supplies the Context."""

    scenario: Scenario
    year: int
    basis: str
    names: tuple[str, ...]
    on: dt.date

    def __call__(self, quantiles: np.ndarray, context: Context) -> Outputs:
        pinned = dict(zip(self.names, quantiles.T, strict=True))
        series = evaluate(self.scenario, [self.year], pinned, context, self.basis)
        return {m: series[m][0] for m in SUMMARY_METRICS}
