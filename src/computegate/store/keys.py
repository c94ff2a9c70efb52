"""API keys: random tokens shown once, stored only as SHA-256 hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from computegate.io.errors import InputError
from computegate.store.models import api_keys

PREFIX = "cg_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(engine: Engine, label: str) -> str:
    label = label.strip()
    if not label:
        raise InputError("label", "an API key needs a label")
    token = PREFIX + secrets.token_urlsafe(24)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(api_keys).values(
                    label=label,
                    key_hash=_digest(token),
                    created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                )
            )
    except IntegrityError:
        raise InputError("label", f"a key labelled {label!r} already exists") from None
    return token


def label_for(engine: Engine, token: str | None) -> str | None:
    """The key's label, or None if the token is unknown or revoked."""
    if not token or not token.startswith(PREFIX):
        return None
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(api_keys.c.label).where(
                api_keys.c.key_hash == _digest(token), api_keys.c.revoked.is_(False)
            )
        ).first()
    return str(row[0]) if row else None
