"""Classification speed (`make bench`): classifications per second, as a ratio to a naive baseline.

Baseline: rebuild the regime from the loaded data for every call (what a caller without
`Regime.at`'s cache would do). Measured in the same run, on the same machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from computegate.catalog import Catalog
from computegate.regime import Regime, default_regime_data
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
    catalog = Catalog.bundled()
    chips = list(catalog)
    data = default_regime_data()

    def naive() -> None:
        for chip in chips:
            classify(chip, Regime.at(DATE, data=data), catalog=catalog)

    def cached() -> None:
        for chip in chips:
            classify(chip, Regime.at(DATE), catalog=catalog)

    base = rate(naive) * len(chips)
    fast = rate(cached) * len(chips)
    print(f"classify, naive (regime rebuilt per call): {base:,.0f}/s")
    print(
        f"classify, cached Regime.at:                {fast:,.0f}/s  ({fast / base:.1f}x baseline)"
    )


if __name__ == "__main__":
    main()
