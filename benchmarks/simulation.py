"""Simulation speed (`make bench`): 10,000 draws x 2022-2030 x every shipped scenario.

Reports the vectorised run (cold: first call, including the rules-layer queries; warm: again, the
answers kept in the Context and the Engine's memo) and, as the baseline measured in the same run, the same model run one
draw at a time (timed on 50 draws per scenario and scaled to 10,000).
"""

from __future__ import annotations

import time

from computegate.engine import Engine
from computegate.simulation import Context, resolve_scenario, shipped_scenarios, simulate
from computegate.simulation.model import Sampler, run_scenario

DRAWS = 10_000
YEARS = list(range(2022, 2031))


def main() -> None:
    ctx = Context(Engine.load())
    scenarios = [resolve_scenario(s) for s in shipped_scenarios()]
    start = time.perf_counter()
    simulate(scenarios, YEARS, DRAWS, seed=1, context=ctx)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    simulate(scenarios, YEARS, DRAWS, seed=2, context=ctx)
    warm = time.perf_counter() - start
    sample = 50
    start = time.perf_counter()
    for scenario in scenarios:
        for i in range(sample):
            run_scenario(scenario, YEARS, Sampler(1, i), ctx)
    per_draw = (time.perf_counter() - start) / (sample * len(scenarios))
    total = DRAWS * len(scenarios)
    print(f"{len(scenarios)} scenarios x {DRAWS:,} draws x {YEARS[0]}-{YEARS[-1]}")
    print(
        f"vectorised, cold (incl. rules-layer queries): {cold:.2f}s ({total / cold:,.0f} draws/s)"
    )
    print(f"vectorised, warm:                            {warm:.2f}s ({total / warm:,.0f} draws/s)")
    print(
        f"one draw at a time (scaled from {sample}/scenario): {per_draw * total:,.0f}s"
        f" -> {per_draw * total / warm:,.0f}x slower than warm"
    )


if __name__ == "__main__":
    main()
