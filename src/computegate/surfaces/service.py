"""The service layer behind the HTTP API and the audit CLI: run a request, record it, replay it."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from computegate.engine import Engine
from computegate.model.requests import AnyRequest, parse_request
from computegate.screening import Screener
from computegate.screening.memo import bound_name_caches
from computegate.store.audit import AuditLog, Entry, GroupCommit, Idempotency, request_digest
from computegate.store.db import open_database
from computegate.store.keys import KeyCache

log = logging.getLogger("computegate.surfaces.service")  # one JSON object per audited answer
VOLATILE = {("list", "loaded_at")}  # differs on every load without meaning anything
# Screening memoises per name and per token in caches sized for batch jobs (100,000-200,000
# entries, about 1.8 kB per new name across them): a service meeting ever-new names would grow
# by hundreds of MB before they fill. It keeps at most this many, emptying them all when one is
# full (benchmarks/service_soak.py).
NAME_CACHE_LIMIT = 20_000


def log_answers_to_stderr() -> None:
    """One JSON line per audited answer on stderr (what `serve` shows); idempotent."""
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def software_version() -> str:
    try:
        return metadata.version("computegate")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass
class Service:
    """The database (audit log, keys) and the Engine the answers come from — the bundled data, or
    the regime directory and catalog files the service was started with."""

    url: str | None = None
    list_path: Path | None = None
    regime_dir: Path | None = None
    catalog_files: tuple[Path, ...] = ()
    core: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.engine = open_database(self.url)
        self.audit = AuditLog(self.engine, GroupCommit.from_environment())
        self.keys = KeyCache(self.engine)
        self.core = Engine.load(self.regime_dir, self.catalog_files, self.list_path)
        self.catalog = self.core.catalog
        self.version = software_version()

    @property
    def screener(self) -> Screener:
        return self.core.screener

    # -- the jobs ---------------------------------------------------------------------------------
    def classify(self, item: Any, date: str, overlays: list[str]) -> dict[str, Any]:
        return self.core.classify(item, date, overlays).model_dump(mode="json")

    def decide(
        self,
        requests: Sequence[Mapping[str, Any] | AnyRequest],
        key_label: str | None,
        idempotency_key: str | None = None,
    ) -> list[dict[str, Any]]:
        """Decide each request and record them all in one transaction (all or nothing)."""
        return self.submit_decide(requests, key_label, idempotency_key).result()

    def submit_decide(
        self,
        requests: Sequence[Mapping[str, Any] | AnyRequest],
        key_label: str | None,
        idempotency_key: str | None = None,
    ) -> Future[list[dict[str, Any]]]:
        """Decide now (a bad request raises here, before anything is recorded); the future
        resolves once the audit rows are committed. Requests already validated (the API's) are
        taken as they are; mappings are validated here."""
        entries = []
        recorded = []
        for given in requests:
            request = parse_request(given)
            decision = self.core.decide(request).model_dump(mode="json")
            recorded.append(request.model_dump(mode="json"))
            entries.append(
                Entry(
                    "decide",
                    recorded[-1],
                    decision,
                    decision["regime"]["date"],
                    decision["regime"]["overlays"],
                    _list_versions(recorded[-1]),
                    self.version,
                    key_label,
                )
            )
        future = self.audit.submit(entries, self._idem(key_label, idempotency_key, recorded))
        future.add_done_callback(lambda f: _log("decide", f, key_label))
        return future

    def _decide(self, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.core.decide(dict(request)).model_dump(mode="json")

    def submit_screen(
        self,
        name: str,
        country: str | None,
        key_label: str | None,
        idempotency_key: str | None = None,
        kind: str | None = None,
    ) -> Future[list[dict[str, Any]]]:
        request = {"name": name, "country": country, **({"kind": kind} if kind else {})}
        result = self._screen(request)
        bound_name_caches(NAME_CACHE_LIMIT)
        entry = Entry(
            "screen", request, result, None, [], [result["list"]], self.version, key_label
        )
        future = self.audit.submit([entry], self._idem(key_label, idempotency_key, request))
        future.add_done_callback(lambda f: _log("screen", f, key_label))
        return future

    def _screen(self, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.screener.screen(
            str(request["name"]), request.get("country"), kind=request.get("kind")
        ).model_dump(mode="json")

    @staticmethod
    def _idem(key_label: str | None, key: str | None, request: Any) -> Idempotency | None:
        if key is None:
            return None
        return Idempotency(key_label or "", key, request_digest(request))

    # -- replay -------------------------------------------------------------------------------------
    def replay(self, audit_id: int) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        """Re-run a stored request with today's code and data; list what differs."""
        from computegate.io.errors import InputError

        row = self.audit.get(audit_id)
        if row is None:
            raise InputError("ID", f"no audit row {audit_id}")
        if row["kind"] == "decide":
            fresh = self._decide(row["request"])
        elif row["kind"] == "screen":
            fresh = self._screen(row["request"])
        else:
            raise InputError(
                "ID", f"audit row {audit_id} is a {row['kind']!r}, which cannot be replayed"
            )
        return row["response"], fresh, differences(row["response"], fresh)


def _log(event: str, future: Future[list[dict[str, Any]]], key_label: str | None) -> None:
    """One JSON line per recorded answer, once it is committed (one write per call)."""
    if future.exception() is not None or not log.isEnabledFor(logging.INFO):
        return
    lines = []
    for o in future.result():
        fields = (
            {"outcome": o["outcome"], "review_policy": o["review_policy"]}
            if event == "decide"
            else {"hit": o["hit"]}
        )
        line = {"event": event, "audit_id": o["audit_id"], "key": key_label, **fields}
        lines.append(orjson.dumps(line).decode())
    log.info("\n".join(lines))


def _list_versions(request: Mapping[str, Any]) -> list[dict[str, Any]]:
    party = request.get("end_user") or request.get("customer") or {}
    screening = party.get("screening") if isinstance(party, Mapping) else None
    return (
        [{"source": screening["list_source"], "sha256": screening["list_sha256"]}]
        if isinstance(screening, Mapping)
        else []
    )


def differences(old: Any, new: Any, path: tuple[str, ...] = ()) -> list[str]:
    """Human-readable paths where two JSON values differ (volatile fields ignored)."""
    if path in VOLATILE:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new)):
            out += differences(old.get(key), new.get(key), (*path, str(key)))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            d
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for d in differences(a, b, (*path, str(i)))
        ]
    return [] if old == new else [f"{'.'.join(path) or '(root)'}: {old!r} -> {new!r}"]
