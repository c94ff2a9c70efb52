"""Batch decisions over CSV/Parquet files: every input row gets exactly one output row.

Rows are grouped by the facts a decision depends on and the period of the law in force (all the
dates between two of the regime's breakpoints see the same law), so a million orders cost as many
decisions as there are distinct situations. Bad rows get an `error` and the batch goes on.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import TypeAdapter, ValidationError

from computegate.engine import Engine
from computegate.io.errors import ComputegateError, InputError
from computegate.io.memory import cycle_collector_paused
from computegate.rules import Decision
from computegate.screening import Screener

REQUIRED = ("kind", "date", "item")
SCREEN_REQUIRED = ("id", "name")
FACT_COLUMNS = (
    "kind",
    "date",
    "item",
    "from_country",
    "to_country",
    "end_user_country",
    "end_user_headquarters",
    "end_user_ultimate_parent_headquarters",
    "end_user_entity_list",
    "end_user_military_end_user",
    "end_user_listed_party_affiliate",
    "end_user_military_intelligence_end_user",
    "end_user_exemption",
    "end_use",
    "overlays",
    "exporter_informed",
    # request facts: origin, ownership, entries, exporter, certifications, releases, declared ECCN
    *(f"origin_{c}" for c in ("producer", "made_in", "us_content_pct", "us_technology")),
    "end_user_owners",
    "end_user_entity_list_footnote",
    "end_user_entity_list_policy",
    *(f"exporter_{c}" for c in ("headquarters", "nac_notified", "bis_objected")),
    "certifications",
    "release",
    "deemed_export",
    "declared_eccn",
    "declared_eccn_source",
    # remote access
    "provider_name",
    "provider_country",
    "provider_us_person",
    "provider_service",
    "datacenter_country",
    "access_country",
    "customer_nationality",
    "customer_government",
    "workload",
    "workload_uses",
    "training_compute_flop",
    "duration_days",
    "assume_serious_risk_determination",
)
WORDING_COLUMNS = ("quantity", "end_user_name")  # change the findings' words, not the law's answer
OUTPUT_COLUMNS = (
    "outcome",
    "review_policy",
    "license_exceptions",
    "conditions",
    "eccn",
    "missing_facts",
    "finding_rules",
    "alternative",
    "findings",
    "error",
)
TRUE = {"true", "yes", "y", "1"}
FALSE = {"false", "no", "n", "0", ""}
KEY = "__computegate_key"
REQUEST_DATE = TypeAdapter(dt.date)  # the requests' own date field: what it rejects stays per row
ROW_MEMO_LIMIT = 1_000_000  # situations remembered across frames before the memo starts afresh
RowMemo = dict[tuple[str, ...], dict[str, dict[str, str | None]]]  # fact columns -> key -> answer


@dataclass
class BatchSummary:
    rows: int = 0
    distinct: int = 0
    errors: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def read_table(path: Path) -> pl.DataFrame:
    """CSV or Parquet, every column read as text so nothing is coerced silently."""
    if not path.exists():
        raise InputError("--input", f"no such file: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pl.read_csv(path, infer_schema=False)
        if suffix == ".parquet":
            df = pl.read_parquet(path)
            return df.with_columns(pl.all().cast(pl.Utf8))
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError("--input", f"cannot read {path}: {exc}") from None
    raise InputError("--input", f"unsupported file type {suffix!r} (use .csv or .parquet)")


def write_table(df: pl.DataFrame, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df.write_csv(path)
    elif suffix == ".parquet":
        df.write_parquet(path)
    else:
        raise InputError("--output", f"unsupported file type {suffix!r} (use .csv or .parquet)")


def _flag(value: str | None, field: str) -> bool:
    text = (value or "").strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise InputError(field, f"{value!r} is not true/false")


def _split(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").replace(",", ";").split(";") if p.strip()]


def _optional_flag(row: dict[str, str | None], col: str) -> bool | None:
    value = row.get(col)
    return None if value is None or not value.strip() else _flag(value, col)


def _number(row: dict[str, str | None], col: str) -> float | None:
    value = (row.get(col) or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise InputError(col, f"{value!r} is not a number") from None


def _remote_request(row: dict[str, str | None], user: dict[str, Any], item: Any) -> dict[str, Any]:
    """Flat remote-access columns: provider_*, datacenter_country, customer (end_user_*), workload."""
    provider: dict[str, Any] = {
        "name": row.get("provider_name"),
        "country": row.get("provider_country"),
    }
    if (us := _optional_flag(row, "provider_us_person")) is not None:
        provider["us_person"] = us
    if row.get("provider_service"):
        provider["service"] = row["provider_service"]
    customer = {k: v for k, v in user.items() if k != "listed_party_affiliate"}
    customer["nationality"] = _split(row.get("customer_nationality"))
    if (gov := _optional_flag(row, "customer_government")) is not None:
        customer["government"] = gov
    workload: dict[str, Any] = {
        "type": row.get("workload") or "ai_training",
        "uses": _split(row.get("workload_uses")),
    }
    if (flop := _number(row, "training_compute_flop")) is not None:
        workload["training_compute_flop"] = flop
    request: dict[str, Any] = {
        "kind": "remote_access",
        "date": row.get("date"),
        "provider": provider,
        "datacenter_country": row.get("datacenter_country"),
        "accelerators": [
            {"item": item, "count": row.get("quantity") or 1}
            if "quantity" in row
            else {"item": item}
        ],
        "customer": customer,
        "workload": workload,
        "overlays": _split(row.get("overlays")),
    }
    for col in ("access_country", "duration_days"):
        if row.get(col):
            request[col] = row[col]
    if (assume := _optional_flag(row, "assume_serious_risk_determination")) is not None:
        request["assume_serious_risk_determination"] = assume
    return {k: v for k, v in request.items() if v is not None}


def row_to_request(row: dict[str, str | None]) -> dict[str, Any]:
    """Flat columns (end_user_*, ';'-separated lists) to a request mapping.

    Only the columns present in `row` are used: the batch leaves out quantity and names unless the
    findings' wording is wanted (--full), since they do not change the answer.
    """
    user: dict[str, Any] = {}
    for col in ("name", "country", "headquarters", "ultimate_parent_headquarters", "exemption"):
        if row.get(f"end_user_{col}"):
            user[col] = row[f"end_user_{col}"]
    for col in (
        "entity_list",
        "military_end_user",
        "military_intelligence_end_user",
        "listed_party_affiliate",
    ):
        if row.get(f"end_user_{col}") is not None:
            user[col] = _flag(row[f"end_user_{col}"], f"end_user_{col}")
    item: Any = row.get("item")
    if isinstance(item, str) and item.lstrip().startswith("{"):
        try:
            item = json.loads(item)
        except json.JSONDecodeError as exc:
            raise InputError("item", f"invalid JSON spec: {exc.msg}") from None
    if row.get("kind") == "remote_access":
        return _remote_request(row, user, item)
    request: dict[str, Any] = {
        "kind": row.get("kind"),
        "date": row.get("date"),
        "item": item,
        "to_country": row.get("to_country"),
        "end_user": user,
        "end_use": _split(row.get("end_use")),
        "overlays": _split(row.get("overlays")),
    }
    if row.get("from_country"):
        request["from_country"] = row["from_country"]
    if row.get("quantity") is not None:
        request["quantity"] = row["quantity"]
    if (informed := _optional_flag(row, "exporter_informed")) is not None:
        request["exporter_informed"] = informed
    request.update(_fact_columns(row, user))
    return {k: v for k, v in request.items() if v is not None}


PREFIXED_COLUMNS = {
    prefix: tuple(
        c for c in FACT_COLUMNS if c.startswith(f"{prefix}_") and c != "exporter_informed"
    )
    for prefix in ("origin", "exporter")
}


def _fact_columns(row: dict[str, str | None], user: dict[str, Any]) -> dict[str, Any]:
    """origin_*, exporter_*, certifications (id=true;id=false), owners (JSON list), entity-list entry,
    release, deemed_export and declared_eccn(_source) columns; empty cells leave the fact unknown."""
    out: dict[str, Any] = {}
    for prefix, flags in (
        ("origin", ("us_technology",)),
        ("exporter", ("nac_notified", "bis_objected")),
    ):
        part: dict[str, Any] = {}
        for col in (c for c in PREFIXED_COLUMNS[prefix] if c in row):
            key = col.removeprefix(f"{prefix}_")
            if key in flags:
                part[key] = _optional_flag(row, col)
            elif key == "us_content_pct":
                part[key] = _number(row, col)
            elif (row.get(col) or "").strip():
                part[key] = row[col]
        if any(v is not None for v in part.values()):
            out[prefix] = {k: v for k, v in part.items() if v is not None}
    certs: dict[str, bool] = {}
    for pair in _split(row.get("certifications")):
        name, _, value = pair.partition("=")
        certs[name.strip()] = _flag(value, f"certifications.{name.strip()}")
    out["certifications"] = certs or None
    if owners := (row.get("end_user_owners") or "").strip():
        try:
            user["owners"] = json.loads(owners)
        except json.JSONDecodeError as exc:
            raise InputError("end_user_owners", f"invalid JSON list: {exc.msg}") from None
    entry = {
        "footnote": _number(row, "end_user_entity_list_footnote"),
        "license_policy": (row.get("end_user_entity_list_policy") or "").strip() or None,
    }
    if any(entry.values()):
        user["entity_list_entry"] = {k: v for k, v in entry.items() if v is not None}
    out["release"] = (row.get("release") or "").strip() or None
    out["deemed_export"] = _optional_flag(row, "deemed_export")
    if eccn := (row.get("declared_eccn") or "").strip():
        out["declared_eccn"] = {"eccn": eccn, "source": row.get("declared_eccn_source") or ""}
    return out


def decision_columns(d: Decision, full: bool) -> dict[str, str | None]:
    alt = d.alternatives[0] if d.alternatives else None
    return {
        "outcome": d.outcome,
        "review_policy": d.review_policy,
        "license_exceptions": ";".join(d.license_exceptions),
        "conditions": ";".join(c.id for c in d.conditions),
        "eccn": d.item.eccn_paragraph or d.item.eccn,
        "missing_facts": ";".join(m.fact for m in d.missing_facts),
        "finding_rules": ";".join(f.rule for f in d.findings),
        "alternative": f"{alt.reading}: {alt.outcome}/{alt.review_policy}" if alt else None,
        "findings": json.dumps([f.model_dump() for f in d.findings], ensure_ascii=False)
        if full
        else None,
        "error": None,
    }


def _error_columns(message: str) -> dict[str, str | None]:
    return {c: None for c in OUTPUT_COLUMNS} | {"error": message}


def with_screening(request: dict[str, Any], screener: Screener | None) -> dict[str, Any]:
    """Attach a screening of the end user (export) or customer (remote access) to a request mapping."""
    if screener is None:
        return request
    key = "customer" if request.get("kind") == "remote_access" else "end_user"
    party = dict(request.get(key) or {})
    if not party.get("name"):
        raise InputError(f"{key}.name", "screening needs the party's name")
    result = screener.screen(str(party["name"]), party.get("country") or party.get("headquarters"))
    return {**request, key: {**party, "screening": result.evidence().model_dump()}}


def check_decide_columns(columns: Sequence[str]) -> None:
    """The columns a decision batch needs, and none it would overwrite (checked before any work)."""
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InputError("--input", f"missing required column(s): {', '.join(missing)}")
    clash = [c for c in OUTPUT_COLUMNS if c in columns]
    if clash:
        raise InputError("--input", f"input already has output column(s): {', '.join(clash)}")


def check_screen_columns(columns: Sequence[str]) -> None:
    missing = [c for c in SCREEN_REQUIRED if c not in columns]
    if missing:
        raise InputError("--input", f"missing required column(s): {', '.join(missing)}")


def _law_periods(df: pl.DataFrame, engine: Engine) -> pl.Expr:
    """Each row's period of the law in force: its date's period under its overlays, as text.

    Same facts in the same period get the same answer (the Engine's memo rests on this too); only
    the wording of the findings carries the date. A date the request would reject, or one outside
    the regime, stays its own period, so its row is decided (and its error reported) on its own.
    """
    date = pl.col("date").fill_null("\x00")
    overlays = pl.col("overlays").fill_null("") if "overlays" in df.columns else pl.lit("")
    law = pl.concat_str([date, overlays], separator="\x1f")
    periods: dict[str, str] = {}
    for when, names, key in (
        df.select(date, overlays.alias("o"), law.alias("k")).unique().iter_rows()
    ):
        try:
            regime = engine.regime(REQUEST_DATE.validate_python(when), _split(names))
            periods[key] = f"period {regime.data.period_index(regime.date)}"
        except (ValidationError, ComputegateError):
            periods[key] = f"date {when}"
    return law.replace_strict(periods, return_dtype=pl.Utf8)


def decide_frame(
    df: pl.DataFrame,
    engine: Engine,
    full: bool = False,
    progress: Callable[[Iterable[dict[str, Any]], int], Iterable[dict[str, Any]]] | None = None,
    screener: Screener | None = None,
    known: RowMemo | None = None,
) -> tuple[pl.DataFrame, BatchSummary]:
    """Add the decision columns to every row of `df` (all text columns).

    Rows are grouped by the facts a decision reads and, unless the findings' words are wanted
    (`full`: they name the date), by the period of the law in force rather than the date; each
    group is decided once, from its first row. `known` carries the answers of earlier frames of
    the same job (same engine, screener and `full`) to later ones, so a situation repeated across
    the partitions of a large file is turned into a request and decided once per process.
    """
    start = time.perf_counter()
    check_decide_columns(df.columns)
    wording = (
        WORDING_COLUMNS if full else ("end_user_name",) if screener else ()
    )  # screening reads the name
    facts = [c for c in (*FACT_COLUMNS, *wording) if c in df.columns]
    parts = [pl.col(c).fill_null("\x00") for c in facts if full or c != "date"]
    if not full:
        parts.append(_law_periods(df, engine))
    keyed = df.with_columns(pl.concat_str(parts, separator="\x1f").alias(KEY))
    unique = keyed.select([*facts, KEY]).unique(subset=KEY, maintain_order=True)
    seen = {} if known is None else known.setdefault((*facts, "full" if full else "period"), {})
    if len(seen) > ROW_MEMO_LIMIT:
        seen.clear()
    keys = unique.get_column(KEY).to_list()
    found = [seen.get(k) for k in keys]  # one lookup each: safe if another thread clears `seen`
    results = [{KEY: k, **v} for k, v in zip(keys, found, strict=True) if v is not None]
    rows = unique.filter(pl.Series([v is None for v in found], dtype=pl.Boolean)).to_dicts()
    iterator = progress(rows, len(rows)) if progress else rows
    with (
        cycle_collector_paused()
    ):  # millions of short-lived, acyclic objects: the cycle collector only slows this down
        for row in iterator:
            try:
                request = with_screening(row_to_request(row), screener)
                out = decision_columns(engine.decide(request), full)
            except ComputegateError as exc:
                out = _error_columns(str(exc))
            seen[row[KEY]] = out
            results.append({KEY: row[KEY], **out})
    decided = pl.DataFrame(results, schema={KEY: pl.Utf8, **{c: pl.Utf8 for c in OUTPUT_COLUMNS}})
    joined = keyed.join(decided, on=KEY, how="left", maintain_order="left").drop(KEY)
    if "quantity" in joined.columns:
        qty = pl.col("quantity").cast(pl.Int64, strict=False)
        bad = pl.col("quantity").is_not_null() & (qty.is_null() | (qty <= 0))
        joined = joined.with_columns(
            [
                pl.when(bad).then(None).otherwise(pl.col(c)).alias(c)
                for c in OUTPUT_COLUMNS
                if c != "error"
            ]
            + [
                pl.when(bad)
                .then(pl.lit("quantity: must be a positive whole number"))
                .otherwise(pl.col("error"))
                .alias("error")
            ]
        )
    if not full:
        joined = joined.drop("findings")
    summary = BatchSummary(rows=joined.height, distinct=unique.height)
    summary.errors = joined.filter(pl.col("error").is_not_null()).height
    summary.outcomes = Counter(
        dict(joined.group_by("outcome").len().drop_nulls("outcome").iter_rows())
    )
    summary.seconds = time.perf_counter() - start
    return joined, summary


def decide_file(
    input_path: Path,
    output_path: Path,
    engine: Engine,
    full: bool = False,
    progress: Callable[[Iterable[dict[str, Any]], int], Iterable[dict[str, Any]]] | None = None,
    screener: Screener | None = None,
) -> BatchSummary:
    df = read_table(input_path)
    out, summary = decide_frame(df, engine, full, progress, screener)
    write_table(out, output_path)
    return summary


def screen_frame(
    df: pl.DataFrame,
    screener: Screener,
    progress: Callable[[Iterable[dict[str, Any]], int], Iterable[dict[str, Any]]] | None = None,
) -> tuple[pl.DataFrame, int]:
    """One output row per input row: id, hit, best score/entry/source, all hits as JSON, error.

    Each distinct (name, country) is screened once: customer and transaction files repeat names.
    """
    check_screen_columns(df.columns)
    rows = df.select(["id", "name", *(["country"] if "country" in df.columns else [])]).to_dicts()
    out: list[dict[str, Any]] = []
    seen: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in progress(rows, len(rows)) if progress else rows:
        name = (row.get("name") or "").strip()
        if not name:
            out.append({"id": row["id"], "error": "name: empty"})
            continue
        key = (name, row.get("country") or None)
        columns = seen.get(key)
        if columns is None:
            result = screener.screen(*key)
            best = result.best
            columns = seen[key] = {
                "hit": result.hit,
                "best_score": best.score if best else None,
                "best_entry_name": best.entry_name if best else None,
                "best_source": best.source if best else None,
                "hits": json.dumps([h.model_dump() for h in result.hits], ensure_ascii=False),
                "error": None,
            }
        out.append({"id": row["id"], **columns})
    schema = {
        "id": pl.Utf8,
        "hit": pl.Boolean,
        "best_score": pl.Float64,
        "best_entry_name": pl.Utf8,
        "best_source": pl.Utf8,
        "hits": pl.Utf8,
        "error": pl.Utf8,
    }
    frame = pl.DataFrame(out, schema=schema)
    return frame, int(frame["hit"].sum() or 0)
