"""The audit log against its own database administrator: each tampering is caught by a checkpoint."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from computegate.store import merkle
from computegate.store.checkpoint import Checkpoint, load_or_create_key
from computegate.store.db import make_engine
from computegate.store.transparency import AUDIT, HEAD, NODES, head_after, row_leaf_hash, verify
from computegate.surfaces.service import Service
from tests.test_cli import run
from tests.test_service import H200_CN, fresh_postgres, need


def _decide(service: Service, n: int, start: int = 1) -> list[dict[str, Any]]:
    return service.decide([{**H200_CN, "quantity": q} for q in range(start, start + n)], "tests")


def rehash(engine: Engine, order: Any = AUDIT.c.leaf_index) -> None:
    """What an administrator with the project's own code can do: renumber, re-hash, rewrite the head
    and the stored subtree hashes."""
    with engine.begin() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(AUDIT).order_by(order)).mappings()]
        leaves: list[bytes | None] = []
        for index, row in enumerate(rows):
            row["leaf_index"] = index
            digest = row_leaf_hash(row)
            conn.execute(
                sa.update(AUDIT)
                .where(AUDIT.c.id == row["id"])
                .values(leaf_index=-1 - index, leaf_hash=digest.hex())
            )
            leaves.append(digest)
        conn.execute(sa.update(AUDIT).values(leaf_index=-1 - AUDIT.c.leaf_index))
        last = rows[-1]["id"] if rows else 0
        mth = merkle.subtree_hasher(leaves, {})
        head = head_after(len(leaves), last, mth)
        conn.execute(sa.delete(HEAD))
        conn.execute(sa.insert(HEAD).values(id=1, **head.values()))
        conn.execute(sa.delete(NODES))
        nodes = [merkle.position(lo, hi) for lo, hi in merkle.completed(0, len(leaves))]
        if nodes:
            conn.execute(
                sa.insert(NODES),
                [
                    {"level": lv, "idx": i, "hash": mth(i << lv, (i + 1) << lv).hex()}
                    for lv, i in nodes
                ],
            )


def _sql(engine: Engine, statement: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(statement))


def _flip(engine: Engine, row_id: int) -> None:
    with engine.begin() as conn:
        text = conn.execute(sa.select(AUDIT.c.response).where(AUDIT.c.id == row_id)).scalar_one()
        conn.execute(
            sa.update(AUDIT)
            .where(AUDIT.c.id == row_id)
            .values(response=text.replace("license_required", "no_license_required", 1))
        )


def _truncate_tail_and_head(e: Engine) -> None:
    _sql(e, "DELETE FROM audit_log WHERE id > 14")
    rehash(e)


def _wipe(e: Engine) -> None:
    _sql(e, "DELETE FROM audit_log")
    _sql(e, "DELETE FROM audit_head")
    _sql(e, "DELETE FROM merkle_node")


def _renumber(e: Engine) -> None:
    _sql(e, "UPDATE audit_log SET id = id + 1000 WHERE id = 5")


def _renumber_and_rehash(e: Engine) -> None:
    _renumber(e)
    rehash(e, AUDIT.c.id)


def _delete_one_and_rehash(e: Engine) -> None:
    _sql(e, "DELETE FROM audit_log WHERE id = 3")
    rehash(e)


def _edit(e: Engine) -> None:
    _flip(e, 7)


def _edit_and_rechain(e: Engine) -> None:
    _flip(e, 7)
    rehash(e)


# name: (what is done, whether verify without a checkpoint already notices)
TAMPERING: dict[str, tuple[Callable[[Engine], None], bool]] = {
    "truncate tail and head": (_truncate_tail_and_head, False),
    "wipe": (_wipe, False),
    "renumber": (_renumber, True),
    "renumber and re-hash": (_renumber_and_rehash, False),
    "delete one row and re-hash": (_delete_one_and_rehash, False),
    "edit": (_edit, True),
    "edit and re-chain": (_edit_and_rechain, False),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_each_tampering_is_caught_against_a_checkpoint(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'cg.db'}"
    key = tmp_path / "elsewhere" / "signing.pem"
    service = Service(db)
    _decide(service, 20)
    code, out, _ = run(
        capsys,
        "audit",
        "checkpoint",
        "--out",
        str(tmp_path / "cp.json"),
        "--key",
        str(key),
        "--database-url",
        db,
    )
    assert code == 0 and json.loads(out)["tree_size"] == 20
    _decide(service, 5, start=100)  # the log goes on growing after the checkpoint
    code, out, _ = run(
        capsys,
        "audit",
        "verify",
        "--checkpoint",
        str(tmp_path / "cp.json"),
        "--key",
        str(key),
        "--database-url",
        db,
    )
    assert code == 0 and "25 entries verified" in out and "extension of the checkpoint" in out

    tamper, visible_without_checkpoint = TAMPERING[name]
    tamper(service.engine)

    code, _, err = run(capsys, "audit", "verify", "--database-url", db)
    assert (code == 1) == visible_without_checkpoint, err
    code, _, err = run(
        capsys,
        "audit",
        "verify",
        "--checkpoint",
        str(tmp_path / "cp.json"),
        "--key",
        str(key),
        "--database-url",
        db,
    )
    assert code == 1 and "BROKEN" in err, err


def test_a_forged_or_foreign_checkpoint_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'cg.db'}"
    _decide(Service(db), 3)
    key = tmp_path / "k.pem"
    cp_file = tmp_path / "cp.json"
    assert (
        run(
            capsys,
            "audit",
            "checkpoint",
            "--out",
            str(cp_file),
            "--key",
            str(key),
            "--database-url",
            db,
        )[0]
        == 0
    )
    forged = json.loads(cp_file.read_text()) | {"tree_size": 2}
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    code, _, err = run(
        capsys,
        "audit",
        "verify",
        "--checkpoint",
        str(tmp_path / "forged.json"),
        "--key",
        str(key),
        "--database-url",
        db,
    )
    assert code == 2 and "signature does not match" in err
    other = Checkpoint.sign(load_or_create_key(tmp_path / "other.pem"), 3, forged["root_hash"])
    (tmp_path / "other.json").write_text(other.to_json())
    code, _, err = run(
        capsys,
        "audit",
        "verify",
        "--checkpoint",
        str(tmp_path / "other.json"),
        "--key",
        str(key),
        "--database-url",
        db,
    )
    assert code == 2 and "not signed by the key" in err
    assert (key.stat().st_mode & 0o777) == 0o600


def test_receipts_prove_inclusion_and_checkpoints_extend_them(tmp_path: Path) -> None:
    service = Service(f"sqlite:///{tmp_path / 'cg.db'}")
    first = _decide(service, 7)
    later = _decide(service, 6, start=50)
    for out in [*first, *later]:
        r = out["receipt"]
        assert merkle.verify_inclusion(
            bytes.fromhex(r["leaf_hash"]),
            r["leaf_index"],
            r["tree_size"],
            [bytes.fromhex(h) for h in r["inclusion_proof"]],
            bytes.fromhex(r["root_hash"]),
        )
    assert {o["receipt"]["tree_size"] for o in first} == {7}  # one list, one transaction
    result = verify(service.engine)
    assert (
        result.ok
        and result.tree_size == 13
        and result.root_hash == later[-1]["receipt"]["root_hash"]
    )
    cp = Checkpoint.sign(
        load_or_create_key(tmp_path / "k.pem"), 7, first[0]["receipt"]["root_hash"]
    )
    assert verify(service.engine, cp).ok


def test_rows_from_before_the_tree_become_its_first_leaves(tmp_path: Path) -> None:
    """Migration 0002 numbers the hash-chained rows of revision 0001 as leaves, in id order."""
    from importlib import resources

    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("computegate.store") / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        for i in (1, 2, 4):  # a gap, as a rolled-back PostgreSQL sequence leaves
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (id, created_at, kind, request, response, regime_date, overlays,"
                    " list_versions, software_version, key_label, prev_hash, row_hash)"
                    " VALUES (:i, '2026-01-01T00:00:00+00:00', 'decide', '{}', '{}', NULL, '[]', '[]', '0', 'k', :p, :h)"
                ),
                {"i": i, "p": str(i - 1) * 64, "h": str(i) * 64},
            )
    engine.dispose()
    service = Service(url)
    result = verify(service.engine)
    assert result.ok and result.tree_size == 3
    [out] = _decide(service, 1)
    assert out["audit_id"] == 5 and out["receipt"]["leaf_index"] == 3
    assert verify(service.engine).ok


def test_migrations_import_no_application_code() -> None:
    """A migration must mean the same thing forever: it may use Alembic and libraries, not the
    application's modules, which change after it is written."""
    import ast
    from importlib import resources

    versions = resources.files("computegate.store") / "migrations" / "versions"
    scripts = [p for p in versions.iterdir() if p.name.endswith(".py")]
    assert len(scripts) >= 3
    for script in scripts:
        tree = ast.parse(script.read_text())
        imported = [
            name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for name in (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
        ]
        assert imported and not [n for n in imported if n.split(".")[0] == "computegate"], (
            script.name,
            imported,
        )


def test_verify_under_concurrent_writes_on_postgresql() -> None:
    url = need("COMPUTEGATE_TEST_POSTGRES_URL")
    fresh_postgres(url)
    service = Service(url)
    _decide(service, 50)
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        q = 1
        while not stop.is_set():
            try:
                _decide(service, 3, start=q)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)
                return
            q += 3

    writers = [threading.Thread(target=write) for _ in range(4)]
    for t in writers:
        t.start()
    try:
        results = [verify(service.engine) for _ in range(8)]
    finally:
        stop.set()
        for t in writers:
            t.join(timeout=30)
    assert not errors
    assert all(r.ok for r in results), [r.problems for r in results if not r.ok]
    assert results[-1].tree_size > results[0].tree_size >= 50  # it really was growing meanwhile
