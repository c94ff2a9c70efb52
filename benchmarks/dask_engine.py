"""The Dask engine vs the local engine on this machine, and one large run with memory per worker.

    python benchmarks/dask_engine.py --rows 2000000 --big-rows 20000000

* rows/s: `computegate decide --input F --output G` (the local engine, in a child process) against
  the same file on a LocalCluster of 2 worker processes, timed from submitting the first partition
  (the cluster's start, a few seconds once per session, is reported apart);
* a large run (a directory of Parquet parts) on the LocalCluster: time, rows/s and each worker's peak
  resident memory.

Orders are drawn like benchmarks/decisions.py's (12 chips x 16 destinations x 6 HQs x 2 kinds x
120 dates, so at most ~276k distinct situations), generated with numpy so 20M rows take seconds.
Every worker process decides each distinct situation it meets once (the memo is per process), so
with this many distinct situations per row the cluster's gain comes only once rows far outnumber them.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from computegate.surfaces import distributed as cd

ITEMS = ["H200", "H100", "H20", "B200", "MI325X", "MI300X", "L40", "L40S", "RTX 4090", "A100"]
ITEMS += ["Gaudi 3", "B30A"]
COUNTRIES = ["CN", "MO", "HK", "SG", "MY", "DE", "JP", "VN", "SA", "AE", "IN", "RU", "KH", "IL"]
COUNTRIES += ["TW", "GB"]
HQ = ["", "CN", "US", "SG", "DE", "JP"]
DATES = [
    f"2025-{m:02d}-{d:02d}" for m in range(1, 13) for d in (1, 3, 5, 9, 11, 13, 17, 21, 25, 28)
]
KINDS = ["export"] * 9 + ["transfer"]


def orders(n: int, first_id: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)

    def pick(values: list[str]) -> pl.Series:
        return pl.Series(values).gather(rng.integers(0, len(values), n))

    return pl.DataFrame(
        {
            "id": pl.int_range(first_id, first_id + n, eager=True).cast(pl.Utf8),
            "kind": pick(KINDS),
            "date": pick(DATES),
            "item": pick(ITEMS),
            "quantity": pl.Series(rng.integers(1, 2001, n)).cast(pl.Utf8),
            "to_country": pick(COUNTRIES),
            "end_user_name": pl.Series(rng.integers(1, 50_001, n)).cast(pl.Utf8),
            "end_user_headquarters": pick(HQ),
        }
    )


def write_parts(root: Path, rows: int, per_file: int = 1_000_000) -> None:
    root.mkdir()
    for i, start in enumerate(range(0, rows, per_file)):
        n = min(per_file, rows - start)
        orders(n, start, seed=i).write_parquet(
            root / f"orders-{i:04d}.parquet", row_group_size=250_000
        )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def local_engine(src: Path, dst: Path) -> tuple[float, float]:
    """`computegate decide` in a child process: seconds and the child's peak resident MB."""
    exe = Path(sys.executable).with_name("computegate")
    start = time.perf_counter()
    child = subprocess.Popen([str(exe), "decide", "--input", str(src), "--output", str(dst)])
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"local engine failed with status {status}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000, help="local vs LocalCluster")
    parser.add_argument("--big-rows", type=int, default=20_000_000, help="0 skips the large run")
    parser.add_argument("--workers", type=int, default=cd.LOCAL_WORKERS)
    parser.add_argument(
        "--big-local", action="store_true", help="also run the local engine on the large input"
    )
    args = parser.parse_args()
    job = cd.make_job("decide")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (other jobs share this machine)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = root / "orders.csv"
        orders(args.rows, 0, seed=1).write_csv(src)
        local, local_mb = local_engine(src, root / "local.parquet")
        print(
            f"local engine, {args.rows:,} CSV rows: {local:.1f}s, {args.rows / local:,.0f} rows/s, peak {local_mb:,.0f} MB"
        )

        start = time.perf_counter()
        with cd.connect(None, workers=args.workers) as client:
            print(
                f"LocalCluster of {args.workers} workers started in {time.perf_counter() - start:.1f}s"
            )
            s = cd.run("decide", str(src), str(root / "dask"), client, job)
            print(
                f"dask engine, {s.rows:,} CSV rows in {s.parts} parts: {s.seconds:.1f}s, "
                f"{s.rows / s.seconds:,.0f} rows/s ({local / s.seconds:.2f}x the local engine)"
            )
            same = pl.read_parquet(sorted((root / "dask").glob("part.*.parquet"))).equals(
                pl.read_parquet(root / "local.parquet")
            )
            print(f"dask output identical to the local engine's: {same}")
            if args.big_rows:
                shutil.rmtree(root / "dask")
                big = root / "big"
                t = time.perf_counter()
                write_parts(big, args.big_rows)
                print(
                    f"wrote {args.big_rows:,} rows as Parquet parts in {time.perf_counter() - t:.0f}s"
                )
                client.restart()  # fresh worker processes: peak memory is this run's
                s = cd.run("decide", str(big), str(root / "big-out"), client, job)
                peaks = client.run(peak_rss_mb)
                print(
                    f"dask engine, {s.rows:,} Parquet rows in {s.parts} parts: {s.seconds:.1f}s, "
                    f"{s.rows / s.seconds:,.0f} rows/s; {s.errors:,} errors"
                )
                for worker, mb in sorted(peaks.items()):
                    print(f"  worker {worker}: peak resident memory {mb:,.0f} MB")
                print(f"  client process: peak resident memory {peak_rss_mb():,.0f} MB")
                big_seconds = s.seconds
        if args.big_rows and args.big_local:
            one = root / "big.parquet"  # the local engine reads one file
            pl.scan_parquet(big / "*.parquet").sink_parquet(one)
            shutil.rmtree(big)
            elapsed, mb = local_engine(one, root / "big-local.parquet")
            print(
                f"local engine, {args.big_rows:,} Parquet rows: {elapsed:.1f}s, "
                f"{args.big_rows / elapsed:,.0f} rows/s (dask ran at {elapsed / big_seconds:.2f}x its speed); "
                f"peak {mb:,.0f} MB"
            )


if __name__ == "__main__":
    main()
