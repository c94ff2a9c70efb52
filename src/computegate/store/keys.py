"""API keys: random tokens shown once, stored only as SHA-256 hashes, each with scopes."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from computegate.io.errors import InputError
from computegate.store.models import api_keys

PREFIX = "cg_"
SCOPES = ("decide", "screen", "simulate", "audit:read")
CACHE_SECONDS = 1.0  # how long a key revoked elsewhere may still be honoured by a running server
CACHE_ENTRIES = 10_000  # tokens remembered per process: unknown tokens must not grow memory
_caches: weakref.WeakSet[KeyCache] = weakref.WeakSet()  # this process's, told of revocations


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _scopes(scopes: list[str] | None) -> str:
    chosen = scopes if scopes else list(SCOPES)
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise InputError("scope", f"unknown scope {unknown[0]!r} (known: {', '.join(SCOPES)})")
    return " ".join(s for s in SCOPES if s in chosen)


def create_key(engine: Engine, label: str, scopes: list[str] | None = None) -> str:
    label = label.strip()
    if not label:
        raise InputError("label", "an API key needs a label")
    token = PREFIX + secrets.token_urlsafe(24)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(api_keys).values(
                    label=label, key_hash=_digest(token), created_at=_now(), scopes=_scopes(scopes)
                )
            )
    except IntegrityError:
        raise InputError("label", f"a key labelled {label!r} already exists") from None
    return token


def list_keys(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                api_keys.c.label,
                api_keys.c.created_at,
                api_keys.c.scopes,
                api_keys.c.revoked,
                api_keys.c.revoked_at,
            ).order_by(api_keys.c.id)
        ).mappings()
        return [dict(r) for r in rows]


def revoke_key(engine: Engine, label: str) -> None:
    with engine.begin() as conn:
        done = conn.execute(
            sa.update(api_keys)
            .where(api_keys.c.label == label, api_keys.c.revoked.is_(False))
            .values(revoked=True, revoked_at=_now())
        ).rowcount
    if not done:
        raise InputError("label", f"no active key labelled {label!r}")
    _forget(label)


def rotate_key(engine: Engine, label: str) -> str:
    """A new token for the label (same scopes); the old token stops working."""
    token = PREFIX + secrets.token_urlsafe(24)
    with engine.begin() as conn:
        done = conn.execute(
            sa.update(api_keys)
            .where(api_keys.c.label == label, api_keys.c.revoked.is_(False))
            .values(key_hash=_digest(token), created_at=_now())
        ).rowcount
    if not done:
        raise InputError("label", f"no active key labelled {label!r}")
    _forget(label)
    return token


def _forget(label: str) -> None:
    """A key revoked or rotated in this process stops working here at once; other processes
    notice within CACHE_SECONDS."""
    for cache in list(_caches):
        cache.forget(label)


@dataclass(frozen=True)
class Caller:
    label: str
    scopes: frozenset[str]


class KeyCache:
    """Token -> caller lookups, remembered for CACHE_SECONDS so each request is not a query; at
    most CACHE_ENTRIES tokens, the least recently looked up forgotten first."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._seen: OrderedDict[str, tuple[float, Caller | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0  # bumped by forget(): a lookup that raced a revocation is not kept
        _caches.add(self)

    def caller(self, token: str | None) -> Caller | None:
        if not token or not token.startswith(PREFIX) or len(token) > 100:
            return None
        digest = _digest(token)
        now = time.monotonic()
        with self._lock:
            hit = self._seen.get(digest)
            if hit and now - hit[0] < CACHE_SECONDS:
                self._seen.move_to_end(digest)
                return hit[1]
            generation = self._generation
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(api_keys.c.label, api_keys.c.scopes).where(
                    api_keys.c.key_hash == digest, api_keys.c.revoked.is_(False)
                )
            ).first()
        found = Caller(str(row[0]), frozenset(str(row[1]).split())) if row else None
        with self._lock:
            if generation == self._generation:  # else a revocation raced this lookup: keep nothing
                self._seen[digest] = (now, found)
                self._seen.move_to_end(digest)
                while len(self._seen) > CACHE_ENTRIES:
                    self._seen.popitem(last=False)
        return found

    def forget(self, label: str) -> None:
        with self._lock:
            self._generation += 1
            for digest in [d for d, (_, c) in self._seen.items() if c and c.label == label]:
                del self._seen[digest]
