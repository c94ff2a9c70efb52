"""OpenSanctions' nomenklatura logic-v2 scorer on the same generated queries, for comparison.

Not a project dependency: run it from an environment that has `nomenklatura` installed beside
computegate (`pip install nomenklatura`). logic-v2 scores pairs, so it needs a blocking step; it
gets computegate's own candidates (the trigram index, acronyms), widened to 40 per query, and
scores each against the whole entry (all names, countries). A hit is a best score >= 0.7.
Its recall is therefore capped by computegate's blocking. Run:
`python benchmarks/screening/nomenklatura_v2.py [--half test] [--sample N]`.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from followthemoney import EntityProxy
from generate import evaluation_list
from nomenklatura.matching import LogicV2

from computegate.screening import Screener
from computegate.screening import screener as screener_module
from computegate.screening.lists import ListEntry
from computegate.screening.normalize import normalise

GENERATED = Path(__file__).with_name("generated_set.csv")
CUTOFF = 0.7
SCHEMA = {"Individual": "Person", "Vessel": "Vessel", "Aircraft": "Airplane"}
DEFAULT_SCHEMA = "Organization"  # logic-v2 reads legal forms only on organisations


def entity(entry: ListEntry) -> EntityProxy:
    schema = SCHEMA.get(entry.type or "", DEFAULT_SCHEMA)
    proxy = EntityProxy.from_dict({"id": entry.id, "schema": schema, "properties": {}})
    for name in (entry.name, *entry.alt_names):
        proxy.add("name", name)
    for country in entry.countries:
        proxy.add("country", country.lower())
    return proxy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--half", choices=("dev", "test"), default="test")
    parser.add_argument("--sample", type=int, default=0, help="every k-th query, k = n / sample")
    args = parser.parse_args()
    screening_list = evaluation_list()
    screener_module.MAX_CANDIDATES = 40
    ours = Screener(screening_list)
    rows = [r for r in csv.DictReader(GENERATED.open(encoding="utf-8")) if r["half"] == args.half]
    if args.sample and args.sample < len(rows):
        rows = rows[:: len(rows) // args.sample]
    entities: dict[int, EntityProxy] = {}
    by_id = {e.id: e for e in screening_list.entries}
    config = LogicV2.default_config()
    tp = fp = fn = 0
    pairs = 0
    start = time.process_time()
    for row in rows:
        q = normalise(row["query"])
        ids = ours._candidates(q) if q.core else []
        ids += list(ours._acronyms.get(q.squashed, ()))
        entries = {ours._aliases[i].entry for i in ids}
        source = by_id.get(row["entry"])
        schema = SCHEMA.get(source.type or "", DEFAULT_SCHEMA) if source else "LegalEntity"
        query = EntityProxy.from_dict({"id": "q", "schema": schema, "properties": {}})
        query.add("name", row["query"])
        best, best_id = 0.0, None
        for e in entries:
            proxy = entities.setdefault(e, entity(screening_list.entries[e]))
            score = LogicV2.compare(query, proxy, config).score
            pairs += 1
            if score > best:
                best, best_id = score, screening_list.entries[e].id
        got = best_id if best >= CUTOFF else None
        expected = set(filter(None, row["expected"].split(";")))
        if expected:
            tp += got in expected
            fn += got not in expected
            fp += got is not None and got not in expected
        else:
            fp += got is not None
    cpu = time.process_time() - start
    print(
        f"nomenklatura logic-v2 on the {args.half} half ({len(rows)} queries, {pairs} pairs): "
        f"precision {tp / max(1, tp + fp):.3f} recall {tp / max(1, tp + fn):.3f}; "
        f"{len(rows) / cpu:,.1f} queries/s (CPU, blocking included)"
    )


if __name__ == "__main__":
    main()
