"""Decision speed (`make bench`): in-process decisions per second and a 1,000,000-row CSV batch.

Each number is reported with the baseline measured in the same run:
* in-process: memoised `decide` vs the naive path (no memo: every request classified and decided anew);
* batch: the deduplicating file path vs a naive per-row loop (parse + decide each row without memo),
  timed on a sample and scaled to the full row count.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from computegate.catalog import Catalog
from computegate.engine import Engine
from computegate.regime import default_regime_data
from computegate.rules import ExportRequest, decide, parse_request
from computegate.surfaces.batch import decide_file, row_to_request

ITEMS = [
    "H200",
    "H100",
    "H20",
    "B200",
    "MI325X",
    "MI300X",
    "L40",
    "L40S",
    "RTX 4090",
    "A100",
    "Gaudi 3",
    "B30A",
]
COUNTRIES = [
    "CN",
    "MO",
    "HK",
    "SG",
    "MY",
    "DE",
    "JP",
    "VN",
    "SA",
    "AE",
    "IN",
    "RU",
    "KH",
    "IL",
    "TW",
    "GB",
]
HQ = ["", "CN", "US", "SG", "DE", "JP"]


def rate(fn: Callable[[], int], seconds: float = 3.0) -> float:
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        done += fn()
    return done / elapsed


def sample_rows(n: int, seed: int = 7) -> pl.DataFrame:
    """Synthetic orders: 12 chips x 16 destinations x 6 HQs x 2 kinds x 120 dates."""
    rng = random.Random(seed)
    dates = [
        f"2025-{m:02d}-{d:02d}" for m in range(1, 13) for d in (1, 5, 9, 13, 17, 21, 25, 28, 11, 3)
    ]
    kinds = ["export"] * 9 + ["transfer"]
    rows = {
        "id": [str(i) for i in range(n)],
        "kind": [rng.choice(kinds) for _ in range(n)],
        "date": [rng.choice(dates) for _ in range(n)],
        "item": [rng.choice(ITEMS) for _ in range(n)],
        "quantity": [str(rng.randint(1, 2000)) for _ in range(n)],
        "to_country": [rng.choice(COUNTRIES) for _ in range(n)],
        "end_user_name": [f"customer {rng.randint(1, 50_000)}" for _ in range(n)],
        "end_user_headquarters": [rng.choice(HQ) for _ in range(n)],
    }
    return pl.DataFrame(rows)


def in_process() -> None:
    frame = sample_rows(2_000, seed=1)
    requests: list[ExportRequest] = [parse_request(row_to_request(r)) for r in frame.to_dicts()]
    # the same situations with other quantities and customer names: the facts the law reads are unchanged
    reworded = [
        r.model_copy(update={"quantity": r.quantity + 1 + i}) for i, r in enumerate(requests)
    ]
    catalog = Catalog.bundled()

    engine = Engine(default_regime_data(), catalog)

    def naive() -> int:
        for r in requests[:200]:
            decide(r, engine.regime(r.date), catalog)  # no memo: from scratch
        return 200

    def memoised() -> int:
        for r in reworded:
            engine.decide(r)
        return len(reworded)

    def redated() -> int:
        engine.memo.dated.clear()  # every date new: the rule-period memo answers, re-dated
        for r in requests:
            engine.decide(r)
        return len(requests)

    for r in requests:
        engine.decide(r)  # warm the memo once, as a long-running process would be
    base, same, period = rate(naive), rate(memoised), rate(redated)
    print(f"in-process, naive (no memo):                        {base:>10,.0f} decisions/s")
    print(
        f"in-process, memoised (same facts, other quantities): {same:>10,.0f} decisions/s  ({same / base:,.0f}x naive)"
    )
    print(
        f"in-process, rule-period memo (facts seen, new date): {period:>10,.0f} decisions/s  ({period / base:,.0f}x naive)"
    )


def batch(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "orders.csv", Path(tmp) / "decisions.csv"
        sample_rows(rows).write_csv(src)
        start = time.perf_counter()
        summary = decide_file(src, dst, Engine.load())
        elapsed = time.perf_counter() - start
        written = pl.scan_csv(dst).select(pl.len()).collect().item()
        assert written == rows, (written, rows)
        print(
            f"batch, {rows:,} CSV rows end to end: {elapsed:,.1f}s ({summary.distinct:,} distinct situations, {summary.errors} errors)"
        )
        naive_rows = pl.read_csv(src, infer_schema=False, n_rows=2_000).to_dicts()
        engine = Engine.load()  # its regime and catalog, not its memo
        start = time.perf_counter()
        for row in naive_rows:
            req = parse_request(row_to_request(row))
            decide(req, engine.regime(req.date, req.overlays), engine.catalog)  # from scratch
        per_row = (time.perf_counter() - start) / len(naive_rows)
        naive_total = per_row * rows
        print(
            f"batch, naive per-row loop (timed on 2,000 rows, scaled): {naive_total:,.0f}s  -> {naive_total / elapsed:,.0f}x slower"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    in_process()
    batch(args.rows)


if __name__ == "__main__":
    main()
