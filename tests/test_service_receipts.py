"""Receipts from stored subtree hashes: the same bytes as from every leaf, and no trust in the cache."""

from __future__ import annotations

import importlib.util
import tempfile
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa
from benchmarks.receipts import all_leaves_receipt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from computegate.store import merkle
from computegate.store.audit import AuditLog, Entry
from computegate.store.checkpoint import Checkpoint, load_or_create_key
from computegate.store.db import migrate, open_database
from computegate.store.models import audit_head, audit_log, merkle_node
from computegate.store.proofs import asked, row_receipt, stored_hasher
from computegate.store.transparency import Head, verify
from tests.test_service import fresh_postgres, need

ENTRY = Entry("decide", {"q": 1}, {"outcome": "x"}, None, [], [], "test", "k")


def _append(log: AuditLog, n: int) -> None:
    log.submit([ENTRY] * n).result(timeout=60)


def _leaves(engine: Engine) -> list[bytes | None]:
    with engine.connect() as conn:
        hashes = conn.execute(sa.select(audit_log.c.leaf_hash).order_by(audit_log.c.leaf_index))
        return [bytes.fromhex(h) for h in hashes.scalars()]


def _nodes(engine: Engine) -> dict[tuple[int, int], str]:
    with engine.connect() as conn:
        return {(lv, i): h for lv, i, h in conn.execute(sa.select(merkle_node))}


def _expected_nodes(leaves: list[bytes | None]) -> dict[tuple[int, int], str]:
    mth = merkle.subtree_hasher(leaves, {})
    done = merkle.completed(0, len(leaves))
    return {merkle.position(lo, hi): mth(lo, hi).hex() for lo, hi in done}


def _check_everything(engine: Engine) -> None:
    """Every row's receipt equals the full computation; the stored nodes are exactly the tree's;
    every consistency proof from stored nodes equals the one from all leaves."""
    leaves = _leaves(engine)
    n = len(leaves)
    for row_id in range(1, n + 1):
        assert row_receipt(engine, row_id) == all_leaves_receipt(engine, row_id)
    assert _nodes(engine) == _expected_nodes(leaves)
    full = merkle.subtree_hasher(leaves, {})
    with engine.connect() as conn:
        head = Head.from_row(conn.execute(sa.select(audit_head)).one())
        for old in range(1, n + 1):

            def proof(mth: merkle.SubtreeHash, old: int = old) -> list[bytes]:
                return merkle.consistency_proof(old, n, mth)

            assert proof(stored_hasher(conn, head, asked(proof))) == proof(full)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=8))
def test_receipts_from_stored_nodes_are_the_full_computation(batches: list[int]) -> None:
    """Appends of any sizes, crossing subtree boundaries anywhere: after each, every receipt is
    byte for byte what hashing every leaf gives."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{Path(tmp) / 'cg.db'}")
        log = AuditLog(engine)
        for n in batches:
            _append(log, n)
            _check_everything(engine)
        engine.dispose()


def test_receipts_at_the_edge_sizes(tmp_path: Path) -> None:
    """One leaf at a time up to 2**6 + 1: sizes 1, 2, 3, every 2**k and 2**k + 1 on the way."""
    engine = open_database(f"sqlite:///{tmp_path / 'cg.db'}")
    log = AuditLog(engine)
    for size in range(1, 66):
        _append(log, 1)
        if size <= 5 or size & (size - 1) == 0 or (size - 1) & (size - 2) == 0:
            _check_everything(engine)
    assert row_receipt(engine, 66) is None


def test_a_tampered_stored_node_fails_against_the_signed_head(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'cg.db'}")
    _append(AuditLog(engine), 21)
    n = 21
    honest = {i: row_receipt(engine, i) for i in range(1, n + 1)}
    cp = Checkpoint.sign(load_or_create_key(tmp_path / "k.pem"), n, honest[1]["root_hash"])  # type: ignore[index]
    root = bytes.fromhex(cp.root_hash)
    frontier = {merkle.position(lo, hi) for lo, hi in merkle.frontier(n)}
    for (level, idx), text in _nodes(engine).items():
        with engine.begin() as conn:
            conn.execute(
                sa.update(merkle_node)
                .where(merkle_node.c.level == level, merkle_node.c.idx == idx)
                .values(hash="00" * 32)
            )
        changed = 0
        for i in range(1, n + 1):
            r = row_receipt(engine, i)
            assert r is not None
            ok = merkle.verify_inclusion(
                bytes.fromhex(r["leaf_hash"]),
                r["leaf_index"],
                cp.tree_size,
                [bytes.fromhex(h) for h in r["inclusion_proof"]],
                root,
            )
            assert ok == (r == honest[i]), (level, idx, i)
            changed += not ok
        # a node the head's frontier holds is read from the head, which the checkpoint signs
        assert changed or (level, idx) in frontier, (level, idx)
        result = verify(engine, cp)  # the rows still extend the checkpoint; the node is named
        assert result.problems == [
            f"1 stored subtree hashes do not match the rows, first (level {level}, index {idx}) "
            "(receipts built from them will not verify against the root)"
        ]
        with engine.begin() as conn:
            conn.execute(
                sa.update(merkle_node)
                .where(merkle_node.c.level == level, merkle_node.c.idx == idx)
                .values(hash=text)
            )


def test_a_tampered_row_is_still_caught_by_verify(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'cg.db'}")
    _append(AuditLog(engine), 9)
    with engine.begin() as conn:
        conn.execute(sa.update(audit_log).where(audit_log.c.id == 4).values(kind="screen"))
    result = verify(engine)
    assert not result.ok and "row 4" in result.problems[0]


def _migration() -> ModuleType:
    path = resources.files("computegate.store") / "migrations" / "versions" / "0004_merkle_nodes.py"
    spec = importlib.util.spec_from_file_location("migration_0004", str(path))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _backfill_matches(engine: Engine) -> None:
    """Migration 0004 on a log of the revision before it gives exactly the appender's nodes, in
    batches of any size (here ones that split subtrees) as in one."""
    written = _nodes(engine)
    assert written == _expected_nodes(_leaves(engine))
    for batch in (3, 8, 20_000):
        with engine.begin() as conn:
            conn.execute(sa.delete(merkle_node))
            _migration().backfill(conn, batch)
        assert _nodes(engine) == written, batch
    with engine.begin() as conn:  # the whole upgrade from revision 0003
        conn.execute(sa.text("DROP TABLE merkle_node"))
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0003_licences'"))
    migrate(engine)
    assert _nodes(engine) == written


def test_the_migration_stores_the_nodes_of_an_existing_log(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'cg.db'}")
    log = AuditLog(engine)
    for n in (5, 1, 17, 2, 12):
        _append(log, n)
    _backfill_matches(engine)


def test_receipts_and_migration_on_postgresql() -> None:
    url = need("COMPUTEGATE_TEST_POSTGRES_URL")
    fresh_postgres(url)
    engine = open_database(url)
    log = AuditLog(engine)
    for n in (1, 2, 5, 8, 17):
        _append(log, n)
        _check_everything(engine)
    _backfill_matches(engine)
    engine.dispose()


def test_a_log_without_its_nodes_says_so(tmp_path: Path) -> None:
    from computegate.store.proofs import MissingNodes

    engine = open_database(f"sqlite:///{tmp_path / 'cg.db'}")
    _append(AuditLog(engine), 6)
    with engine.begin() as conn:
        conn.execute(sa.delete(merkle_node))
    with pytest.raises(MissingNodes, match=r"\(0, 2\)"):
        row_receipt(engine, 3)
    assert verify(engine).problems == [
        "4 subtree hashes of the tree are not stored (receipts will fail)"
    ]
