"""Precision and recall of the Screener, beside a naive baseline, at the default threshold.

Two sets: the 419-query regression set (eval_set.csv, against the bundled Entity List sample) and,
with `--generated dev|test`, one half of generated_set.csv (see generate.py) against the
evaluation list (SDN 2021 + CSL extract + bundled sample), reported overall and per variant kind.

Baseline: rapidfuzz token_set_ratio of the raw query against every name and alias on the list
(brute force), a hit when the best score reaches 85. A query with `expected` ids is a positive: a
true positive when the best hit at or above the threshold is one of them. A hit on the wrong entry
counts as a false positive as well as a miss. Run: `python benchmarks/screening/evaluate.py [-v] [--generated test]`.
"""

from __future__ import annotations

import argparse
import csv
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from computegate.screening import DEFAULT_THRESHOLD, Screener, load_list
from computegate.screening.lists import ScreeningList

EVAL = Path(__file__).with_name("eval_set.csv")
GENERATED = Path(__file__).with_name("generated_set.csv")
BASELINE_CUTOFF = 85


def score_set(
    rows: list[dict[str, str]], predict: Callable[[str, str], str | None], verbose: bool, label: str
) -> dict[str, float]:
    tp = fp = fn = tn = 0
    misses: Counter[str] = Counter()
    per_kind: dict[str, Counter[str]] = {}
    for row in rows:
        expected = set(filter(None, row["expected"].split(";")))
        got = predict(row["query"], row.get("country", ""))
        kind = per_kind.setdefault(row["kind"], Counter())
        kind["n"] += 1
        if expected:
            if got in expected:
                tp += 1
                kind["tp"] += 1
            else:
                fn += 1
                kind["fn"] += 1
                misses[row["kind"]] += 1
                fp += got is not None
                kind["fp"] += got is not None
                if verbose:
                    print(f"  [{label}] miss  {row['kind']:22} {row['query']!r} -> {got}")
        elif got is None:
            tn += 1
        else:
            fp += 1
            kind["fp"] += 1
            misses[row["kind"]] += 1
            if verbose:
                print(f"  [{label}] false {row['kind']:22} {row['query']!r} -> {got}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "recall": recall,
        "errors_by_kind": dict(misses),
        "per_kind": per_kind,
    }  # type: ignore[dict-item]


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion: how little a small kind (12 queries) can say."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def print_per_kind(per_kind: dict[str, Counter[str]]) -> None:
    """Positive kinds: precision and recall; negative kinds: how many of them hit (false positives)."""
    print(
        f"  {'kind':22} {'n':>5} {'precision':>9} {'recall':>7}  {'recall 95% CI':>13}  false positives"
    )
    for name, c in sorted(per_kind.items()):
        positives = c["tp"] + c["fn"]
        if positives:
            prec = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
            low, high = wilson(c["tp"], positives)
            print(
                f"  {name:22} {c['n']:5} {prec:9.3f} {c['tp'] / positives:7.3f}  "
                f"{low:.3f}-{high:.3f}  {c['fp']}"
            )
        else:
            print(f"  {name:22} {c['n']:5} {'-':>9} {'-':>7}  {c['fp']} of {c['n']} negatives hit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--generated", choices=("dev", "test"), help="a half of the generated set")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    screening_list: ScreeningList
    if args.generated:
        from generate import evaluation_list

        screening_list = evaluation_list()
        rows = [
            r
            for r in csv.DictReader(GENERATED.open(encoding="utf-8"))
            if r["half"] == args.generated
        ]
    else:
        screening_list = load_list()
        rows = list(csv.DictReader(EVAL.open(encoding="utf-8")))
    screener = Screener(screening_list)

    def ours(query: str, country: str) -> str | None:
        result = screener.screen(query, country or None)
        return result.hits[0].entry_id if result.hit else None

    choices: list[str] = []
    owners: list[str] = []
    for entry in screening_list.entries:
        for name in (entry.name, *entry.alt_names):
            choices.append(name)
            owners.append(entry.id)

    def baseline(query: str, country: str) -> str | None:
        best = process.extractOne(
            query,
            choices,
            scorer=fuzz.token_set_ratio,
            processor=utils.default_process,
            score_cutoff=BASELINE_CUTOFF,
        )
        return owners[best[2]] if best else None

    positives = sum(1 for r in rows if r["expected"])
    print(
        f"{len(rows)} queries ({positives} true variants, {len(rows) - positives} hard negatives); threshold {DEFAULT_THRESHOLD}"
    )
    matchers = [("computegate", ours)]
    if not args.no_baseline:
        matchers.append(("baseline token_set_ratio>=85", baseline))
    for label, fn in matchers:
        m = score_set(rows, fn, args.verbose, label)
        print(
            f"{label:30} precision {m['precision']:.3f}  recall {m['recall']:.3f}  (tp {m['tp']}, fp {m['fp']}, fn {m['fn']}, tn {m['tn']})  errors: {m['errors_by_kind']}"
        )
        if args.generated:
            print_per_kind(m["per_kind"])  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
