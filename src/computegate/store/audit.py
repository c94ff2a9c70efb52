"""The append-only, hash-chained audit log: every row stores its own hash and the previous row's."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from computegate.store.models import audit_head, audit_log

GENESIS = "0" * 64
HASHED = (
    "created_at",
    "kind",
    "request",
    "response",
    "regime_date",
    "overlays",
    "list_versions",
    "software_version",
    "key_label",
)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def row_hash(row: dict[str, Any], prev_hash: str) -> str:
    body = {k: row.get(k) for k in HASHED} | {"prev_hash": prev_hash}
    return hashlib.sha256(canonical(body).encode()).hexdigest()


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem: str | None = None


class AuditLog:
    """Append, read and verify. Appends are serialised (a lock here, the head row's lock in the database)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()

    def append(
        self,
        kind: str,
        request: Any,
        response: Any,
        regime_date: str | None,
        overlays: list[str],
        list_versions: list[dict[str, Any]],
        software_version: str,
        key_label: str | None,
    ) -> int:
        row = {
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            "kind": kind,
            "request": canonical(request),
            "response": canonical(response),
            "regime_date": regime_date,
            "overlays": canonical(overlays),
            "list_versions": canonical(list_versions),
            "software_version": software_version,
            "key_label": key_label,
        }
        with self._lock, self.engine.begin() as conn:
            head = conn.execute(
                sa.select(audit_head.c.last_hash).where(audit_head.c.id == 1).with_for_update()
            ).first()
            prev = head[0] if head else GENESIS
            digest = row_hash(row, prev)
            result = conn.execute(
                sa.insert(audit_log).values(**row, prev_hash=prev, row_hash=digest)
            )
            if head:
                conn.execute(
                    sa.update(audit_head).where(audit_head.c.id == 1).values(last_hash=digest)
                )
            else:
                conn.execute(sa.insert(audit_head).values(id=1, last_hash=digest))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def get(self, row_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(audit_log).where(audit_log.c.id == row_id))
                .mappings()
                .first()
            )
        return _decode(dict(row)) if row else None

    def search(
        self,
        kind: str | None = None,
        key_label: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        where = []
        if kind:
            where.append(audit_log.c.kind == kind)
        if key_label:
            where.append(audit_log.c.key_label == key_label)
        if since:
            where.append(audit_log.c.created_at >= since)
        if until:
            where.append(audit_log.c.created_at < until)
        with self.engine.connect() as conn:
            total = conn.execute(
                sa.select(sa.func.count()).select_from(audit_log).where(*where)
            ).scalar_one()
            rows = conn.execute(
                sa.select(audit_log)
                .where(*where)
                .order_by(audit_log.c.id.desc())
                .limit(limit)
                .offset(offset)
            ).mappings()
            return [_decode(dict(r)) for r in rows], int(total)

    def verify(self) -> Verification:
        """Recompute the chain; the first row whose content or link does not match is named."""
        prev = GENESIS
        checked = 0
        with self.engine.connect() as conn:
            for row in conn.execute(sa.select(audit_log).order_by(audit_log.c.id)).mappings():
                checked += 1
                if row["prev_hash"] != prev:
                    return Verification(
                        False,
                        checked,
                        row["id"],
                        "its prev_hash does not match the row before it (a row was removed or reordered)",
                    )
                if row_hash(dict(row), prev) != row["row_hash"]:
                    return Verification(
                        False,
                        checked,
                        row["id"],
                        "its content does not match its stored hash (the row was altered)",
                    )
                prev = row["row_hash"]
            head = conn.execute(
                sa.select(audit_head.c.last_hash).where(audit_head.c.id == 1)
            ).first()
        if head is not None and head[0] != prev:
            return Verification(
                False,
                checked,
                None,
                "the chain head does not match the last row (rows were removed from the end)",
            )
        return Verification(True, checked)


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("request", "response", "overlays", "list_versions"):
        row[key] = json.loads(row[key])
    return row
