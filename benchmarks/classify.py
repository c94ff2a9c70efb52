"""Classification speed (`make bench`): classifications per second, as a ratio to a baseline.

Baseline: a `Regime` built for every call from the loaded regime data (the per-period parameters
and compiled tables are kept on the data, so this is the cost of the regime object alone). Against
it: `Engine.classify`, which keeps its regimes by date and overlays. Neither re-reads the regime
files (`Regime.at` without `data` would: that measures YAML loading, not classification).
Measured in the same run, on the same machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from computegate.engine import Engine
from computegate.regime import Regime
from computegate.rules import classify

DATE = "2026-01-16"


def rate(fn: Callable[[], None], seconds: float = 2.0) -> float:
    """Calls per second of `fn`, run for at least `seconds`."""
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        calls += 1
    return calls / elapsed


def main() -> None:
    engine = Engine.load()
    chips = list(engine.catalog)

    def rebuilt() -> None:
        for chip in chips:
            classify(chip, Regime.at(DATE, data=engine.data), catalog=engine.catalog)

    def kept() -> None:
        for chip in chips:
            engine.classify(chip, DATE)

    base = rate(rebuilt) * len(chips)
    fast = rate(kept) * len(chips)
    print(f"classify, regime built per call:  {base:,.0f}/s")
    print(f"classify, Engine.classify:        {fast:,.0f}/s  ({fast / base:.1f}x baseline)")


if __name__ == "__main__":
    main()
