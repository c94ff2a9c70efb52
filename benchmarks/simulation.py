"""Simulation speed (`make bench`): 10,000 draws x 2024-2030 x every shipped scenario.

Reports the vectorised run (cold: first call, including the rules-layer queries; warm: again) and,
as the baseline measured in the same run, the same model run one draw at a time (timed on 100 draws
per scenario and scaled to 10,000).
"""

from __future__ import annotations

import time

import numpy as np

from computegate.simulation import resolve_scenario, shipped_scenarios, simulate
from computegate.simulation.model import Sampler, run_scenario

DRAWS = 10_000
YEARS = list(range(2024, 2031))


def main() -> None:
    scenarios = [resolve_scenario(s) for s in shipped_scenarios()]
    start = time.perf_counter()
    simulate(scenarios, YEARS, DRAWS, seed=1)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    simulate(scenarios, YEARS, DRAWS, seed=2)
    warm = time.perf_counter() - start
    sample = 100
    start = time.perf_counter()
    for scenario in scenarios:
        rng = np.random.default_rng(3)
        for _ in range(sample):
            run_scenario(scenario, YEARS, Sampler(1, rng))
    per_draw = (time.perf_counter() - start) / (sample * len(scenarios))
    total_draws = DRAWS * len(scenarios)
    print(f"{len(scenarios)} scenarios x {DRAWS:,} draws x {YEARS[0]}-{YEARS[-1]}")
    print(
        f"vectorised, cold (incl. rules-layer queries): {cold:.2f}s  ({total_draws / cold:,.0f} draws/s)"
    )
    print(
        f"vectorised, warm:                            {warm:.2f}s  ({total_draws / warm:,.0f} draws/s)"
    )
    print(
        f"one draw at a time (scaled from {sample}/scenario): {per_draw * total_draws:,.0f}s  -> {per_draw * total_draws / warm:,.0f}x slower"
    )


if __name__ == "__main__":
    main()
