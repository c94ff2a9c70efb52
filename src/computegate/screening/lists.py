"""Consolidated Screening List files (JSON and CSV, with the published field names) and their identity."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pycountry
from pydantic import BaseModel, ConfigDict

from computegate.io.errors import DataFileError

MULTI_SEPARATOR = "; "
REQUIRED_CSV_COLUMNS = ("name", "source")
BUNDLED = "csl_sample.json"


class Address(BaseModel):
    model_config = ConfigDict(frozen=True)
    address: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None

    def text(self) -> str:
        return ", ".join(
            p for p in (self.address, self.city, self.state, self.postal_code, self.country) if p
        )


class ListEntry(BaseModel):
    """One party on a screening list, in the CSL's own field names."""

    model_config = ConfigDict(frozen=True)
    id: str
    source: str
    name: str
    alt_names: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()
    programs: tuple[str, ...] = ()
    federal_register_notice: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    type: str | None = None
    entity_number: str | None = None
    license_requirement: str | None = None
    license_policy: str | None = None
    remarks: str | None = None

    @property
    def countries(self) -> frozenset[str]:
        return frozenset(a.country for a in self.addresses if a.country)


class ListIdentity(BaseModel):
    """Which list version a screening used: enough to cite it and to notice it changed."""

    model_config = ConfigDict(frozen=True)
    source: str
    sha256: str
    loaded_at: str
    entries: int


@dataclass(frozen=True)
class ScreeningList:
    identity: ListIdentity
    entries: tuple[ListEntry, ...]


@lru_cache(maxsize=4096)
def country_code(value: str | None) -> str | None:
    """CSL files carry ISO alpha-2 codes; tolerate country names ("Russia", "Korea, North")."""
    if not value:
        return None
    text = value.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        pass
    try:
        found = pycountry.countries.search_fuzzy(text)
    except LookupError:
        return None
    return str(found[0].alpha_2) if len(found) == 1 else None


def _entry(raw: Mapping[str, Any], where: str, path: Path) -> ListEntry:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise DataFileError(str(path), where, "entry has no name")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise DataFileError(str(path), where, "entry has no source (the list it comes from)")

    def many(key: str) -> tuple[str, ...]:
        value = raw.get(key) or ()
        if isinstance(value, str):
            value = value.split(MULTI_SEPARATOR) if value else ()
        if not isinstance(value, list | tuple):
            raise DataFileError(
                str(path), f"{where}.{key}", "expected a list or a '; '-separated string"
            )
        return tuple(str(v).strip() for v in value if str(v).strip())

    addresses: list[Address] = []
    raw_addresses = raw.get("addresses") or ()
    if isinstance(raw_addresses, str):  # CSV: "street, city, ..., country; street, ..."
        raw_addresses = [a for a in raw_addresses.split(MULTI_SEPARATOR) if a.strip()]
    for i, item in enumerate(raw_addresses):
        if isinstance(item, Mapping):
            addresses.append(
                Address(
                    **{
                        k: (str(v) if v is not None else None)
                        for k, v in item.items()
                        if k in Address.model_fields
                    }
                ).model_copy(update={"country": country_code(item.get("country"))})
            )
        elif isinstance(item, str):
            parts = [p.strip() for p in item.split(",")]
            addresses.append(
                Address(address=item, country=country_code(parts[-1]) if parts else None)
            )
        else:
            raise DataFileError(
                str(path), f"{where}.addresses.{i}", "expected an object or a string"
            )
    entry_id = (
        raw.get("id")
        or raw.get("_id")
        or raw.get("entity_number")
        or hashlib.sha1(f"{source}|{name}".encode()).hexdigest()[:12]
    )
    return ListEntry(
        id=str(entry_id),
        source=source.strip(),
        name=name.strip(),
        alt_names=many("alt_names"),
        addresses=tuple(addresses),
        programs=many("programs"),
        federal_register_notice=raw.get("federal_register_notice") or None,
        start_date=raw.get("start_date") or None,
        end_date=raw.get("end_date") or None,
        type=raw.get("type") or None,
        entity_number=str(raw["entity_number"]) if raw.get("entity_number") else None,
        license_requirement=raw.get("license_requirement") or None,
        license_policy=raw.get("license_policy") or None,
        remarks=raw.get("remarks") or None,
    )


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataFileError(
            str(path), f"line {line}", "not valid UTF-8 (the CSL files are UTF-8)"
        ) from None


def _json_entries(path: Path, text: str) -> list[ListEntry]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(str(path), f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from None
    rows = doc.get("results") if isinstance(doc, Mapping) else doc
    if not isinstance(rows, list):
        raise DataFileError(
            str(path), "results", "expected a list of entries (or an object with 'results')"
        )
    entries = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise DataFileError(str(path), f"results.{i}", "entry is not an object")
        entries.append(_entry(row, f"results.{i}", path))
    return entries


def _csv_entries(path: Path, text: str) -> list[ListEntry]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise DataFileError(str(path), "line 1", f"missing column(s): {', '.join(missing)}")
    entries = []
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                raise DataFileError(str(path), f"line {line}", "more fields than the header has")
            entries.append(_entry(row, f"line {line}", path))
    except csv.Error as exc:
        raise DataFileError(str(path), f"line {reader.line_num}", f"malformed CSV: {exc}") from None
    return entries


def load_list(path: Path | None = None) -> ScreeningList:
    """Load a CSL JSON/CSV file, OFAC's SDN CSV set or the DPL text file (or the bundled sample); all or nothing."""
    if path is not None and path.is_dir():  # a directory kept by `computegate lists update`
        from computegate.screening.update import current_version

        version = current_version(path)
        if version is None:
            raise DataFileError(str(path), "(directory)", "no list downloaded here yet")
        path = path / version.file
    if path is None:
        data = (resources.files("computegate.screening") / "data" / BUNDLED).read_bytes()
        shown = Path(f"bundled:{BUNDLED}")
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DataFileError(str(path), "(file)", f"cannot read: {exc.strerror}") from None
        shown = path
    from computegate.screening.sources import dpl_entries, is_sdn, sdn_entries, sdn_files

    text = _decode(shown, data)
    suffix = shown.suffix.lower()
    if is_sdn(shown):
        entries = sdn_entries(shown, text, _decode)
    elif suffix == ".txt":
        entries = dpl_entries(shown, text)
    elif suffix == ".json":
        entries = _json_entries(shown, text)
    elif suffix in (".csv", ".tsv"):
        entries = _csv_entries(shown, text)
    else:
        raise DataFileError(
            str(shown),
            "(file)",
            "unsupported list format (use the CSL .json or .csv file, OFAC's sdn.csv or the DPL .txt file)",
        )
    if not entries:
        raise DataFileError(str(shown), "(file)", "the list has no entries")
    identity = ListIdentity(
        source=str(shown),
        sha256=hashlib.sha256(
            b"".join(p.read_bytes() for p in sdn_files(shown)) if is_sdn(shown) else data
        ).hexdigest(),
        loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        entries=len(entries),
    )
    return ScreeningList(identity, tuple(entries))


def entries_from(rows: Iterable[Mapping[str, Any]], source: str = "memory") -> ScreeningList:
    """A list built in memory (tests, synthetic benchmarks)."""
    path = Path(source)
    entries = tuple(_entry(r, f"results.{i}", path) for i, r in enumerate(rows))
    digest = hashlib.sha256(
        json.dumps([e.model_dump() for e in entries], sort_keys=True).encode()
    ).hexdigest()
    identity = ListIdentity(
        source=source,
        sha256=digest,
        loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        entries=len(entries),
    )
    return ScreeningList(identity, entries)
