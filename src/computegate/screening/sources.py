"""Official list formats other than the CSL, read into CSL-shaped entries.

- OFAC's legacy SDN CSV set: ``sdn.csv`` (primary records) with ``alt.csv`` (aliases), ``add.csv``
  (addresses) and ``sdn_comments.csv`` (remarks overflow) beside it, no header rows, ``-0-`` for
  empty. Files are found by replacing the ``sdn.csv`` ending of the primary file's name, so
  ``ofac-2021-sdn.csv`` finds ``ofac-2021-alt.csv``.
- BIS's Denied Persons List text file: tab-separated, quoted, with a header row; rows repeating a
  name (one person, several addresses) become one entry.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from computegate.io.errors import DataFileError
from computegate.screening.lists import Address, ListEntry, country_code

SDN_SOURCE = "Specially Designated Nationals (SDN) - Treasury Department"
DPL_SOURCE = "Denied Persons List (DPL) - Bureau of Industry and Security"
SDN_COLUMNS = 12
DPL_COLUMNS = ("Name", "Street_Address", "City", "State", "Country", "Postal_Code")
EMPTY = "-0-"


def is_sdn(path: Path) -> bool:
    return path.name.lower().endswith("sdn.csv")


def _rows(path: Path, text: str, width: int) -> list[list[str | None]]:
    out: list[list[str | None]] = []
    try:
        for n, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if not row or (len(row) == 1 and not row[0].strip()) or row[0].startswith("\x1a"):
                continue  # blank lines and the DOS end-of-file mark
            if len(row) != width:
                raise DataFileError(
                    str(path), f"line {n}", f"expected {width} fields, found {len(row)}"
                )
            out.append([None if v.strip() in ("", EMPTY) else v.strip() for v in row])
    except csv.Error as exc:
        raise DataFileError(str(path), "(file)", f"malformed CSV: {exc}") from None
    return out


def _sibling(path: Path, name: str) -> Path:
    return path.with_name(path.name[: -len("sdn.csv")] + name)


def sdn_files(path: Path) -> list[Path]:
    """The SDN set's files that exist, primary first: together they are the list's identity."""
    names = ("alt.csv", "add.csv", "sdn_comments.csv")
    return [path, *(p for p in (_sibling(path, n) for n in names) if p.exists())]


Decoder = Callable[[Path, bytes], str]


def _read_optional(path: Path, decode: Decoder) -> str | None:
    return decode(path, path.read_bytes()) if path.exists() else None


def sdn_entries(path: Path, text: str, decode: Decoder) -> list[ListEntry]:
    """The SDN primary file plus whichever of its alias, address and comment files sit beside it."""
    aliases: dict[str, list[str]] = defaultdict(list)
    addresses: dict[str, list[Address]] = defaultdict(list)
    comments: dict[str, str] = {}
    alt_path, add_path, com_path = (
        _sibling(path, n) for n in ("alt.csv", "add.csv", "sdn_comments.csv")
    )
    if (alt := _read_optional(alt_path, decode)) is not None:
        for ent, _num, _kind, name, _rem in _rows(alt_path, alt, 5):
            if ent and name:
                aliases[ent].append(name)
    if (add := _read_optional(add_path, decode)) is not None:
        for ent, _num, street, city, country, _rem in _rows(add_path, add, 6):
            if ent and (street or city or country):
                addresses[ent].append(
                    Address(address=street, city=city, country=country_code(country) or None)
                )
    if (com := _read_optional(com_path, decode)) is not None:
        for ent, more in _rows(com_path, com, 2):
            if ent and more:
                comments[ent] = more
    entries = []
    for row in _rows(path, text, SDN_COLUMNS):
        ent, name, kind, program = row[0], row[1], row[2], row[3]
        if not ent or not name:
            raise DataFileError(str(path), f"entry {ent or '?'}", "entry has no number or name")
        remarks = "".join(p for p in (row[11], comments.get(ent)) if p) or None
        entries.append(
            ListEntry(
                id=f"sdn-{ent}",
                source=SDN_SOURCE,
                name=name,
                alt_names=tuple(aliases.get(ent, ())),
                addresses=tuple(addresses.get(ent, ())),
                programs=tuple(p.strip() for p in (program or "").split("] [") if p.strip()),
                type=(kind or "entity").capitalize(),
                entity_number=ent,
                remarks=remarks,
            )
        )
    return entries


def dpl_entries(path: Path, text: str) -> list[ListEntry]:
    """The Denied Persons List: one entry per name, its addresses gathered."""
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    missing = [c for c in DPL_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise DataFileError(str(path), "line 1", f"missing column(s): {', '.join(missing)}")
    by_name: dict[str, list[dict[str, str]]] = defaultdict(list)
    try:
        for row in reader:
            name = (row.get("Name") or "").strip()
            if not name:
                raise DataFileError(str(path), f"line {reader.line_num}", "row has no Name")
            by_name[name].append(row)
    except csv.Error as exc:
        raise DataFileError(str(path), f"line {reader.line_num}", f"malformed: {exc}") from None
    entries = []
    for name, rows in by_name.items():
        first = rows[0]
        entries.append(
            ListEntry(
                id="dpl-" + hashlib.sha1(name.encode()).hexdigest()[:10],
                source=DPL_SOURCE,
                name=name,
                addresses=tuple(
                    Address(
                        address=r.get("Street_Address") or None,
                        city=r.get("City") or None,
                        state=r.get("State") or None,
                        postal_code=r.get("Postal_Code") or None,
                        country=country_code(r.get("Country")),
                    )
                    for r in rows
                ),
                federal_register_notice=first.get("FR_Citation") or None,
                start_date=first.get("Effective_Date") or None,
                end_date=first.get("Expiration_Date") or None,
                type="Individual or entity",
            )
        )
    return entries
