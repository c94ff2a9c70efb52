"""Receipt latency on a large audit log: every leaf read (the old path) against stored subtree hashes.

Builds a log of --rows entries (group-committed appends of 2,000, which also write the subtree
hashes), then times `row_receipt` on random rows both ways in the same run and checks they return
the same bytes. Also times migration 0004's backfill of the nodes for that log. SQLite by default;
--url postgresql://... for PostgreSQL (its tables are dropped and re-created).

    .venv/bin/python -m benchmarks.receipts --rows 100000
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import tempfile
import time
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from computegate.store import merkle
from computegate.store.audit import AuditLog, Entry
from computegate.store.db import open_database
from computegate.store.models import audit_log, merkle_node, metadata
from computegate.store.proofs import row_receipt
from computegate.store.transparency import Head

ENTRY = Entry(
    "decide",
    {"item": "H200", "quantity": 8, "to_country": "CN"},
    {"outcome": "license_required", "findings": [{"rule": "x", "text": "y" * 200}]},
    "2026-12-01",
    [],
    [{"list": "entity", "version": "2026-11-30"}],
    "bench",
    "bench",
)


def all_leaves_hasher(
    conn: Connection, head: Head, ranges: Iterable[tuple[int, int]]
) -> merkle.SubtreeHash:
    """The subtree hashes as `row_receipt` made them before stored nodes (revision 41f7d2c): read
    every leaf hash of the tree and hash any subtree from them, whatever `ranges` asks for."""
    hashes = conn.execute(
        sa.select(audit_log.c.leaf_hash)
        .where(audit_log.c.leaf_index < head.tree_size)
        .order_by(audit_log.c.leaf_index)
    ).scalars()
    leaves: list[bytes | None] = [bytes.fromhex(h) for h in hashes]
    return merkle.subtree_hasher(leaves, {}, remember=False)


def all_leaves_receipt(engine: Engine, row_id: int) -> dict[str, Any] | None:
    """`row_receipt` on the every-leaf hashes: the baseline, and the tests' oracle for the proofs."""
    return row_receipt(engine, row_id, all_leaves_hasher)


def _timed(fn: Any, ids: list[int]) -> tuple[list[float], list[Any]]:
    times, out = [], []
    for i in ids:
        start = time.perf_counter()
        out.append(fn(i))
        times.append(time.perf_counter() - start)
    return times, out


def _summary(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"median {statistics.median(ms):8.2f} ms, p95 {ms[int(len(ms) * 0.95) - 1]:8.2f} ms"


def backfill_seconds(engine: Engine) -> float:
    """Migration 0004's backfill of this log's nodes, from an empty merkle_node table."""
    versions = resources.files("computegate.store") / "migrations" / "versions"
    spec = importlib.util.spec_from_file_location("m0004", str(versions / "0004_merkle_nodes.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with engine.begin() as conn:
        before = {tuple(r) for r in conn.execute(sa.select(merkle_node))}
        conn.execute(sa.delete(merkle_node))
    start = time.perf_counter()
    with engine.begin() as conn:
        module.backfill(conn)
    elapsed = time.perf_counter() - start
    with engine.connect() as conn:
        assert {tuple(r) for r in conn.execute(sa.select(merkle_node))} == before
    return elapsed


def run(url: str, rows: int, old_samples: int, new_samples: int) -> None:
    if url.startswith("postgresql"):
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            metadata.drop_all(conn)
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()
    engine = open_database(url)
    log = AuditLog(engine)
    start = time.perf_counter()
    for done in range(0, rows, 2_000):
        log.submit([ENTRY] * min(2_000, rows - done)).result()
    built = time.perf_counter() - start
    print(f"{engine.dialect.name}: {rows:,} rows appended in {built:.1f} s ({rows / built:,.0f}/s)")
    rng = random.Random(20261201)
    ids = [rng.randint(1, rows) for _ in range(new_samples)]
    old_times, old = _timed(lambda i: all_leaves_receipt(engine, i), ids[:old_samples])
    new_times, new = _timed(lambda i: row_receipt(engine, i), ids)
    assert new[:old_samples] == old, "the two paths disagree"
    print(f"  every leaf read ({old_samples} rows):    {_summary(old_times)}")
    print(f"  stored nodes   ({new_samples} rows):  {_summary(new_times)}")
    ratio = statistics.median(old_times) / statistics.median(new_times)
    print(f"  median speed-up: {ratio:,.0f}x (same receipts, byte for byte)")
    print(f"  migration 0004 backfill of this log: {backfill_seconds(engine):.1f} s")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--old-samples", type=int, default=20)
    parser.add_argument("--new-samples", type=int, default=2_000)
    args = parser.parse_args()
    if args.url:
        run(args.url, args.rows, args.old_samples, args.new_samples)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'cg.db'}", args.rows, args.old_samples, args.new_samples)


if __name__ == "__main__":
    main()
