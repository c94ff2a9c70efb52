"""`simulate sweep`: N model runs in this process vs on a LocalCluster, same design, same chunks.

    python benchmarks/sweep.py --samples 1024 4096 --workers 2

A Sobol design over every uncertain input of h200-allowed (the 2027 outputs), evaluated in chunks
of `--chunk` runs: here, one chunk after another, and as tasks on a LocalCluster. Both sides are
timed after their warm-up (the local Context's first answers from the law; the cluster's start and
each worker's Context, paid by a one-chunk sweep first), so the figures compare the runs themselves;
the warm-ups are printed apart. Outputs are checked identical.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

import numpy as np

from computegate.engine import Engine
from computegate.simulation import Context, resolve_scenario
from computegate.simulation import sensitivity as sa
from computegate.simulation.pinned import uncertain_inputs
from computegate.surfaces import distributed as cd

YEAR = 2027


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, nargs="+", default=[1024, 4096])
    parser.add_argument("--chunk", type=int, default=2048)
    parser.add_argument("--workers", type=int, default=cd.LOCAL_WORKERS)
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (other jobs share this machine)")

    on = dt.date(2026, 12, 1)
    start = time.perf_counter()
    ctx = Context(Engine.load(), on)
    scenario = resolve_scenario("h200-allowed")
    names = tuple(i.name for i in uncertain_inputs(scenario, [YEAR], ctx))
    print(f"local warm-up (engine, the law's answers): {time.perf_counter() - start:.1f}s")
    model = sa.ModelRuns(scenario, YEAR, scenario.basis, names, on)

    start = time.perf_counter()
    with cd.connect(None, workers=args.workers) as client:
        warm = sa.make_design("sobol", names, 2, seed=0)
        sa.run_design(warm, 1, cd.sweep_runner(client, model))  # every worker builds its Context
        print(
            f"LocalCluster of {args.workers} workers started and warmed in "
            f"{time.perf_counter() - start:.1f}s"
        )
        for n in args.samples:
            design = sa.make_design("sobol", names, n, seed=1)
            t = time.perf_counter()
            local = sa.run_design(design, args.chunk, sa.in_process(lambda q: model(q, ctx)))
            here = time.perf_counter() - t
            t = time.perf_counter()
            remote = sa.run_design(design, args.chunk, cd.sweep_runner(client, model))
            there = time.perf_counter() - t
            same = all(np.array_equal(local[m], remote[m], equal_nan=True) for m in local)
            print(
                f"sobol N={n}, {len(names)} inputs: {design.runs:,} model runs in "
                f"{len(design.chunks(args.chunk))} chunks: local {here:.2f}s "
                f"({design.runs / here:,.0f} runs/s), LocalCluster {there:.2f}s "
                f"({design.runs / there:,.0f} runs/s, {here / there:.2f}x local); identical: {same}"
            )


if __name__ == "__main__":
    main()
