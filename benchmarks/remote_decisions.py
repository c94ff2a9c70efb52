"""Remote-access decisions, old engine against new in the same run (`python benchmarks/remote_decisions.py`).

engine_versions.py samples exports only; this one times the remote-access path (enacted law, the
bills' access controls, the IaaS KYC proposal) on the requests of tests/cases/remote_access.yaml
under every overlay set. The baseline is a git revision checked out into a temporary worktree; the
same probe runs against its `src` and this tree's, in fresh processes, and reports unmemoised
decisions per second of the process's own CPU time. `--repeat N` runs the pair N times.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "f3fac94"  # main before remote.py's provisions became data

PROBE = r"""
import json, sys, time
import yaml
sys.path.insert(0, sys.argv[1])
from computegate.engine import Engine
from computegate.rules import decide, parse_request
table = yaml.safe_load(open(sys.argv[2]))
base = table["base"]
def merged(patch):
    out = dict(base)
    for k, v in patch.items():
        keep = isinstance(v, dict) and isinstance(base.get(k), dict) and k != "customer"
        out[k] = {**base[k], **v} if keep else v
    return out
sets = [[], ["rasa-2024-house"], ["rasa-2026-house"], ["rasa-senate"], ["iaas-kyc-proposed"]]
requests = [parse_request({**merged(c["request"]), "overlays": s}) for c in table["cases"] for s in sets]
engine = Engine.load()
for r in requests:  # warm the regime periods and the compiled provisions once
    decide(r, engine.regime(r.date, r.overlays), engine.catalog)
passes, start = int(sys.argv[3]), time.process_time()
for _ in range(passes):
    for r in requests:
        decide(r, engine.regime(r.date, r.overlays), engine.catalog)  # no memo: from scratch
print(json.dumps({"per_s": passes * len(requests) / (time.process_time() - start)}))
"""


def run(src: Path, passes: int) -> float:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            str(src),
            str(ROOT / "tests/cases/remote_access.yaml"),
            str(passes),
        ],
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["per_s"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--passes", type=int, default=3, help="passes over the requests per probe")
    parser.add_argument("--repeat", type=int, default=1, help="old/new pairs, back to back")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from baseline import checked_out

    with checked_out(args.baseline) as old_tree:
        pairs = [
            (run(old_tree / "src", args.passes), run(ROOT / "src", args.passes))
            for _ in range(args.repeat)
        ]
    print(
        f"baseline {args.baseline} against this tree: remote-access cases x 5 overlay sets, no memo"
    )
    for old, new in pairs:
        print(f"unmemoised remote decisions/s: old {old:,.0f}, new {new:,.0f} ({new / old:.2f}x)")


if __name__ == "__main__":
    main()
