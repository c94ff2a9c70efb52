"""Old engine against new in the same run (`python benchmarks/engine_versions.py`).

The baseline is a git revision (default: the last commit before the rules engine v2 work) checked
out into a temporary worktree; the same probe runs against its `src` and against this tree's, in
fresh processes, on the same requests and the same generated order file:
* unmemoised decisions/s (every request classified and decided from scratch), per second of the
  process's own CPU time, which other work on a shared machine disturbs far less than the clock;
  the best of `--passes` passes over the same 2,000 requests (one pass is a fraction of a second,
  so a single pass measured the neighbours as much as the code: 0.69x and 1.30x back to back).
  Both engines load their data and compile it before the clock starts (one decision each; the old
  engine loads lazily, so its first decision used to carry the YAML loading into its rate), then
  decide every request with no decision memo and no classification cache: the old one calls its
  `clear_caches()` before each request (decisions, classifications and dated decisions), the new
  one is given no memo. What each keeps across requests is what depends on the law alone, never on
  the request or the chip: the old engine its `Regime.at` objects and its reference-chip metrics,
  the new one its Engine's regimes, the per-period resolved parameters, country-group answers and
  AI Diffusion note, the compiled provisions (with the ones in force per period and ECCN), each rule
  id's role, its catalog's reference-chip metrics, and one immutable Citation per literal source
  string. Findings, citations and decisions are built from already-typed parts without a second
  pydantic validation (model/built.py); requests are validated as before;
* the batch path on an N-row CSV (default 1,000,000 rows), end to end: wall-clock and CPU seconds;
* machine instructions per unmemoised decision (`--instructions N`, default 1,000 decisions; needs
  valgrind), counted by callgrind switched on around one pass only. Seconds on a shared 2-core VM
  swing by a third from one run to the next with the neighbours' load; an instruction count does
  not, so it says whether a change made the engine do less work even when the clock cannot. It does
  not see cache misses or branch mispredictions: the seconds remain the figure that counts.
Other work on a shared machine moves both numbers: `--repeat N` runs the old/new pair N times back
to back and prints each pair's ratios, so a reader can see whether they hold.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "6d6167b"  # main before this round (rules engine v2, the law re-read, ...)

PROBE = r"""
import json, os, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import polars as pl
try:
    from computegate.surfaces.batch import decide_file, row_to_request
except ImportError:  # before the surfaces package
    from computegate.batch import decide_file, row_to_request
from computegate.rules import decide, parse_request
try:
    from computegate.engine import Engine
    new = True
except ImportError:
    from computegate.catalog import Catalog
    from computegate.rules.decide import clear_caches
    new = False
rows = pl.read_csv(sys.argv[3], infer_schema=False, n_rows=2000).to_dicts()
requests = [parse_request(row_to_request(r)) for r in rows]
engine = Engine.load() if new else None
# both load their data (the old engine lazily, on its first decision) and compile it before the clock starts
if new:
    decide(requests[0], engine.regime(requests[0].date, requests[0].overlays), engine.catalog)
else:
    decide(requests[0])
    clear_caches()
if len(sys.argv) > 4:  # instructions: one pass over the first N requests, counted by callgrind
    count, go = int(sys.argv[4]), Path(sys.argv[5])
    print("READY", flush=True)
    while not go.exists():
        time.sleep(0.05)
    for r in requests[:count]:
        if new:
            decide(r, engine.regime(r.date, r.overlays), engine.catalog)
        else:
            clear_caches()
            decide(r)
    os._exit(0)  # stop here: the interpreter's own teardown is not the engine's cost
passes = []  # one pass is ~0.3 s of CPU: the best of several is what the code costs, not the neighbours
for _ in range(int(sys.argv[2] or 1)):
    start = time.process_time()
    for r in requests:
        if new:
            decide(r, engine.regime(r.date, r.overlays), engine.catalog)  # the engine's data, no memo
        else:
            clear_caches()
            decide(r)
    passes.append(time.process_time() - start)
unmemo = len(requests) / min(passes)
src, dst = Path(sys.argv[3]), Path(sys.argv[3]).with_suffix(".out.csv")
start, cpu = time.perf_counter(), time.process_time()
summary = decide_file(src, dst, Engine.load() if new else Catalog.bundled())
batch, batch_cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"unmemoised_per_s": unmemo, "batch_s": batch, "batch_cpu_s": batch_cpu, "distinct": summary.distinct, "errors": summary.errors}))
"""


def run(src: Path, orders: Path, passes: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(src), str(passes), str(orders)],
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def instructions(src: Path, orders: Path, count: int, tmp: Path) -> int:
    """Machine instructions for `count` unmemoised decisions (valgrind's callgrind, switched on
    only around them): unlike seconds, the count does not move with what else the machine runs."""
    go, out = tmp / f"go-{src.parent.name}", tmp / f"callgrind-{src.parent.name}.out"
    probe = [sys.executable, "-c", PROBE, str(src), "1", str(orders), str(count), str(go)]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    with subprocess.Popen(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            *probe,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "READY":
                break
        subprocess.run(
            ["callgrind_control", "-i", "on", str(proc.pid)], check=True, capture_output=True
        )
        go.touch()
        proc.wait()
    totals = [line for line in out.read_text().splitlines() if line.startswith("summary:")]
    return int(totals[0].split()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="old/new pairs, back to back")
    parser.add_argument(
        "--passes", type=int, default=5, help="unmemoised passes over the requests; the best counts"
    )
    parser.add_argument(
        "--instructions",
        type=int,
        default=1000,
        help="also count machine instructions for this many unmemoised decisions (needs valgrind; 0: off)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from baseline import checked_out
    from decisions import sample_rows

    with checked_out(args.baseline) as old_tree, tempfile.TemporaryDirectory() as tmp:
        orders = Path(tmp) / "orders.csv"
        sample_rows(args.rows).write_csv(orders)
        pairs = [
            (run(old_tree / "src", orders, args.passes), run(ROOT / "src", orders, args.passes))
            for _ in range(args.repeat)
        ]
        counted = args.instructions and shutil.which("valgrind")
        if counted:
            old_i, new_i = (
                instructions(tree / "src", orders, args.instructions, Path(tmp))
                for tree in (old_tree, ROOT)
            )
    print(f"baseline {args.baseline} against this tree, same requests, same {args.rows:,}-row file")
    for old, new in pairs:
        print(
            f"unmemoised decisions/s: old {old['unmemoised_per_s']:,.0f}, new {new['unmemoised_per_s']:,.0f}"
            f" ({new['unmemoised_per_s'] / old['unmemoised_per_s']:.2f}x)"
        )
        print(
            f"batch, {args.rows:,} rows: old {old['batch_s']:.1f}s, new {new['batch_s']:.1f}s"
            f" ({old['batch_s'] / new['batch_s']:.2f}x as fast); CPU old {old['batch_cpu_s']:.1f}s,"
            f" new {new['batch_cpu_s']:.1f}s ({old['batch_cpu_s'] / new['batch_cpu_s']:.2f}x);"
            f" old decided {old['distinct']:,} distinct situations, new {new['distinct']:,}"
        )
    if counted:
        n = args.instructions
        print(
            f"instructions per unmemoised decision ({n:,} decisions, callgrind): old {old_i / n:,.0f},"
            f" new {new_i / n:,.0f} ({old_i / new_i:.2f}x as few)"
        )


if __name__ == "__main__":
    main()
