"""The service layer behind the HTTP API and the audit CLI: run a request, record it, replay it."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from computegate.catalog import Catalog
from computegate.regime import Regime
from computegate.rules import classify, decide, parse_request
from computegate.screening import Screener, load_list
from computegate.store.audit import AuditLog
from computegate.store.db import database_url, make_engine, migrate

log = logging.getLogger("computegate.service")  # one JSON object per audited answer
VOLATILE = {("list", "loaded_at")}  # differs on every load without meaning anything


def software_version() -> str:
    try:
        return metadata.version("computegate")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass
class Service:
    url: str | None = None
    list_path: Path | None = None
    _screener: Screener | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.engine = make_engine(database_url(self.url))
        migrate(self.engine)
        self.audit = AuditLog(self.engine)
        self.catalog = Catalog.bundled()
        self.version = software_version()

    @property
    def screener(self) -> Screener:
        if self._screener is None:
            self._screener = Screener(load_list(self.list_path))
        return self._screener

    # -- the jobs ---------------------------------------------------------------------------------
    def classify(self, item: Any, date: str, overlays: list[str]) -> dict[str, Any]:
        chip = self.catalog.resolve(item, "item")
        return classify(chip, Regime.at(date, overlays), catalog=self.catalog).model_dump(
            mode="json"
        )

    def decide(
        self, request: Mapping[str, Any], key_label: str | None
    ) -> tuple[dict[str, Any], int]:
        decision = self._decide(request)
        audit_id = self.audit.append(
            "decide",
            dict(request),
            decision,
            decision["regime"]["date"],
            decision["regime"]["overlays"],
            _list_versions(request),
            self.version,
            key_label,
        )
        log.info(
            json.dumps(
                {
                    "event": "decide",
                    "audit_id": audit_id,
                    "key": key_label,
                    "outcome": decision["outcome"],
                    "review_policy": decision["review_policy"],
                }
            )
        )
        return decision, audit_id

    def _decide(self, request: Mapping[str, Any]) -> dict[str, Any]:
        return decide(parse_request(dict(request)), catalog=self.catalog).model_dump(mode="json")

    def screen(
        self, name: str, country: str | None, key_label: str | None, kind: str | None = None
    ) -> tuple[dict[str, Any], int]:
        request = {"name": name, "country": country, **({"kind": kind} if kind else {})}
        result = self._screen(request)
        audit_id = self.audit.append(
            "screen",
            request,
            result,
            None,
            [],
            [result["list"]],
            self.version,
            key_label,
        )
        log.info(
            json.dumps(
                {"event": "screen", "audit_id": audit_id, "key": key_label, "hit": result["hit"]}
            )
        )
        return result, audit_id

    def _screen(self, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.screener.screen(
            str(request["name"]), request.get("country"), kind=request.get("kind")
        ).model_dump(mode="json")

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
