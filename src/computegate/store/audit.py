"""The append-only audit log: group-committed appends, receipts with inclusion proofs, reads.

Appends from every thread of a process go through one writer thread, which takes whatever is waiting
(GroupCommit: up to max_entries, optionally waiting max_wait_ms for more), writes it in one
transaction under the tree head's lock, and only after the commit (fsync on SQLite's WAL, the WAL
flush on PostgreSQL) wakes each caller with its receipt. The rows go in one executemany (one
pipelined round trip on PostgreSQL) and the tree grows from its stored frontier, O(log n) per leaf;
the subtrees the group completes are stored with it (merkle_node), so a later proof reads O(log n).
Several processes serialise on the head row, each one still committing its group at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from computegate.store import merkle
from computegate.store.db import WriterLock
from computegate.store.models import audit_head, audit_log, idempotency, merkle_node
from computegate.store.transparency import Head, head_after, row_leaf_hash


@dataclass(frozen=True)
class GroupCommit:
    """How the writer groups appends into transactions.

    max_entries bounds one transaction (its memory and how long it holds the head's lock); a list
    is never split, so one list of more goes alone. max_wait_ms is how long the writer waits for
    more work after the first before committing: 0 commits whatever is waiting at once, which
    already groups under load (the callers queue while the previous group's fsync runs); a few
    milliseconds trade latency for fewer, larger commits on slow disks.
    $COMPUTEGATE_GROUP_MAX_ENTRIES and $COMPUTEGATE_GROUP_MAX_WAIT_MS override the defaults.
    """

    max_entries: int = 2_000
    max_wait_ms: float = 0.0

    @classmethod
    def from_environment(cls) -> GroupCommit:
        default = cls()
        entries = os.environ.get("COMPUTEGATE_GROUP_MAX_ENTRIES")
        wait = os.environ.get("COMPUTEGATE_GROUP_MAX_WAIT_MS")
        chosen = cls(
            int(entries) if entries else default.max_entries,
            float(wait) if wait else default.max_wait_ms,
        )
        if chosen.max_entries < 1 or not 0 <= chosen.max_wait_ms <= 1_000:
            raise ValueError(f"group commit needs max_entries >= 1 and 0-1000 ms: {chosen}")
        return chosen


def canonical(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def request_digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One audited answer: what was asked, what was answered, and what it rested on."""

    kind: str
    request: Any
    response: dict[str, Any]
    regime_date: str | None
    overlays: list[str]
    list_versions: list[dict[str, Any]]
    software_version: str
    key_label: str | None

    def content(self, created_at: str) -> dict[str, Any]:
        return {
            "created_at": created_at,
            "kind": self.kind,
            "request": canonical(self.request),
            "response": canonical(self.response),
            "regime_date": self.regime_date,
            "overlays": canonical(self.overlays),
            "list_versions": canonical(self.list_versions),
            "software_version": self.software_version,
            "key_label": self.key_label,
        }


@dataclass(frozen=True)
class Idempotency:
    key_label: str
    key: str
    request_sha256: str


class IdempotencyConflict(Exception):
    """The key was used before with a different request."""


@dataclass
class _Job:
    entries: list[Entry]
    idem: Idempotency | None
    future: Future[list[dict[str, Any]]]


class AuditLog:
    """Submit (group commit), read, search and export; transparency.verify checks it."""

    def __init__(self, engine: Engine, group: GroupCommit | None = None) -> None:
        self.engine = engine
        self.group = group or GroupCommit()
        self._writer_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._writer_lock = WriterLock(engine)
        self._queue: queue.Queue[_Job] = queue.Queue()
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None

    # -- appending ------------------------------------------------------------------------------
    def submit(
        self, entries: list[Entry], idem: Idempotency | None = None
    ) -> Future[list[dict[str, Any]]]:
        """Record the entries all-or-nothing; the future resolves after the commit to each response
        with its audit id and receipt. With an idempotency key already used for the same request it
        resolves to the stored answer and nothing is recorded; with another request, to
        IdempotencyConflict.
        """
        job = _Job(entries, idem, Future())
        self._ensure_writer()
        self._queue.put(job)
        return job.future

    def _ensure_writer(self) -> None:
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            jobs = [self._queue.get()]
            self._gather(jobs, time.monotonic() + self.group.max_wait_ms / 1000)
            try:
                with self._writer_lock, self._writer_engine.begin() as conn:
                    row = conn.execute(
                        sa.select(audit_head).where(audit_head.c.id == 1).with_for_update()
                    ).first()
                    # other writers (processes) held the log while this one waited: what reached
                    # the queue meanwhile joins this group instead of waiting for the next turn
                    self._gather(jobs, deadline=0.0)
                    results = self._commit(conn, row, jobs)
            except Exception as exc:  # the transaction rolled back: nobody is acknowledged
                for job in jobs:
                    job.future.set_exception(exc)
                continue
            for job, result in zip(jobs, results, strict=True):
                if isinstance(result, Exception):
                    job.future.set_exception(result)
                else:
                    job.future.set_result(result)

    def _gather(self, jobs: list[_Job], deadline: float) -> None:
        """Add queued jobs to the group until it is full or the queue stays empty past `deadline`
        (a monotonic time; one already past takes only what is queued now)."""
        size = sum(len(job.entries) for job in jobs)
        while size < self.group.max_entries:
            try:
                left = deadline - time.monotonic()
                job = self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait()
            except queue.Empty:
                return
            jobs.append(job)
            size += len(job.entries)

    def _commit(
        self, conn: Connection, row: Any, jobs: list[_Job]
    ) -> list[list[dict[str, Any]] | Exception]:
        """Write the group after the head row `row` (locked) and return each job's answer."""
        head = Head.from_row(row) if row else Head.empty()
        now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        leaves: list[bytes] = []  # the new ones, from leaf head.tree_size on
        last_id = head.last_id
        rows: list[dict[str, Any]] = []
        # per job: the earlier answer (idempotent retry), or (audit id, leaf index, response) per row
        earlier = self._earlier(conn, jobs)
        placed: list[list[tuple[int, int, dict[str, Any]]]] = []
        for job, before in zip(jobs, earlier, strict=True):
            slots: list[tuple[int, int, dict[str, Any]]] = []
            placed.append(slots)
            if before is not None:
                continue
            for entry in job.entries:
                last_id += 1
                index = head.tree_size + len(leaves)
                content = {"id": last_id, "leaf_index": index, **entry.content(now)}
                digest = row_leaf_hash(content)
                rows.append({**content, "leaf_hash": digest.hex()})
                slots.append((last_id, index, entry.response))
                leaves.append(digest)
        mth = merkle.subtree_hasher(leaves, head.frontier, offset=head.tree_size)
        new_head = head_after(head.tree_size + len(leaves), last_id, mth)
        results: list[list[dict[str, Any]] | Exception] = []
        stored = []
        for job, before, slots in zip(jobs, earlier, placed, strict=True):
            if before is not None:
                results.append(before)
                continue
            outputs = [
                {**response, "audit_id": audit_id, "receipt": _receipt(index, new_head, mth)}
                for audit_id, index, response in slots
            ]
            results.append(outputs)
            if job.idem is not None:
                stored.append(
                    {
                        "key_label": job.idem.key_label,
                        "idem_key": job.idem.key,
                        "request_sha256": job.idem.request_sha256,
                        "outputs": canonical(outputs),
                        "created_at": now,
                    }
                )
        if rows:
            conn.execute(sa.insert(audit_log), rows)
            nodes = []
            for lo, hi in merkle.completed(head.tree_size, new_head.tree_size):
                level, idx = merkle.position(lo, hi)
                nodes.append({"level": level, "idx": idx, "hash": mth(lo, hi).hex()})
            if nodes:
                conn.execute(sa.insert(merkle_node), nodes)
            values = new_head.values()
            if row:
                conn.execute(sa.update(audit_head).where(audit_head.c.id == 1).values(**values))
            else:
                conn.execute(sa.insert(audit_head).values(id=1, **values))
        if stored:
            conn.execute(sa.insert(idempotency), stored)
        return results

    def _earlier(
        self, conn: Connection, jobs: list[_Job]
    ) -> list[list[dict[str, Any]] | Exception | None]:
        """Per job: the stored answer for a used key, a conflict, or None (fresh key or none);
        the keys of the whole group are looked up in one query."""
        keys = [(job.idem.key_label, job.idem.key) for job in jobs if job.idem is not None]
        stored: dict[tuple[str, str], Any] = {}
        if keys:
            found = conn.execute(
                sa.select(
                    idempotency.c.key_label,
                    idempotency.c.idem_key,
                    idempotency.c.request_sha256,
                    idempotency.c.outputs,
                ).where(sa.tuple_(idempotency.c.key_label, idempotency.c.idem_key).in_(keys))
            )
            stored = {(r.key_label, r.idem_key): r for r in found}
        out: list[list[dict[str, Any]] | Exception | None] = []
        seen: set[tuple[str, str]] = set()
        for job in jobs:
            if job.idem is None:
                out.append(None)
                continue
            key = (job.idem.key_label, job.idem.key)
            row = stored.get(key)
            if key in seen:  # the same key twice in one group: the second waits for a retry
                out.append(
                    IdempotencyConflict("the same Idempotency-Key is already being processed")
                )
            elif row is None:
                out.append(None)
            elif row.request_sha256 != job.idem.request_sha256:
                out.append(
                    IdempotencyConflict("this Idempotency-Key was used with a different request")
                )
            else:
                out.append(json.loads(row.outputs))
            seen.add(key)
        return out

    # -- reading --------------------------------------------------------------------------------
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
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int = 50,
        offset: int = 0,
        outcome: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        where = _filters(kind, key_label, since, until)
        where += _outcome(outcome, self.engine.dialect.name)
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

    def export(self, since: dt.datetime | None, until: dt.datetime | None) -> Any:
        """Every row in [since, until), oldest first, streamed (for retention copies)."""
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=1_000).execute(
                sa.select(audit_log)
                .where(*_filters(None, None, since, until))
                .order_by(audit_log.c.leaf_index)
            )
            for row in result.mappings():
                yield _decode(dict(row))


def utc_text(moment: dt.datetime) -> str:
    """A moment as the log stores it: UTC, ISO 8601 with microseconds (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _filters(
    kind: str | None, key_label: str | None, since: dt.datetime | None, until: dt.datetime | None
) -> list[Any]:
    where = []
    if kind:
        where.append(audit_log.c.kind == kind)
    if key_label:
        where.append(audit_log.c.key_label == key_label)
    if since:
        where.append(audit_log.c.created_at >= utc_text(since))
    if until:
        where.append(audit_log.c.created_at < utc_text(until))
    return where


def _outcome(outcome: str | None, dialect: str) -> list[Any]:
    """Rows whose recorded answer has this outcome: a decision's `outcome`, or a screening's `hit`
    (read from the stored JSON, so a scan of the rows the other filters leave). PostgreSQL needs
    the text cast to json; SQLite's JSON functions read the text as it is."""
    if not outcome:
        return []
    text = audit_log.c.response
    answer = sa.cast(text, sa.JSON) if dialect == "postgresql" else sa.type_coerce(text, sa.JSON)
    if outcome in ("hit", "no_hit"):
        return [audit_log.c.kind == "screen", answer["hit"].as_boolean() == (outcome == "hit")]
    return [audit_log.c.kind == "decide", answer["outcome"].as_string() == outcome]


def _receipt(index: int, head: Head, mth: merkle.SubtreeHash) -> dict[str, Any]:
    return {
        "leaf_index": index,
        "tree_size": head.tree_size,
        "root_hash": head.root_hash.hex(),
        "leaf_hash": mth(index, index + 1).hex(),
        "inclusion_proof": [h.hex() for h in merkle.inclusion_proof(index, head.tree_size, mth)],
    }


def _decode(raw: dict[str, Any]) -> dict[str, Any]:
    row = {str(k): v for k, v in raw.items()}  # plain str keys (the driver's may be subclasses)
    for key in ("request", "response", "overlays", "list_versions"):
        row[key] = json.loads(row[key])
    return row
