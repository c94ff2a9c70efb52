"""The licence register, shipments and the volume-cap ledger in the database.

A shipment is one transaction: the licence line is drawn down with a conditional UPDATE (so two
concurrent shipments can never both take the last units), the cap is checked under a per-product
row lock, and the shipment row is written — all or nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from computegate.catalog import Catalog
from computegate.io.errors import InputError
from computegate.licensing.cap import CapStatus, cap_status
from computegate.licensing.coverage import LicenceState, LineState, coverage, line_matches
from computegate.licensing.model import Licence, LicenceLine, LicenceParty, Shipment, is_eccn
from computegate.model.requests import AnyRequest
from computegate.regime import Regime
from computegate.rules import Decision, ExportRequest, Finding, classify
from computegate.store.models import ledger_products, licence_lines, licences, shipments

MAX_CSV_ROWS = 100_000
CAP_CONDITION = "volume_cap"  # the id of the cap among the Jan-2026 conditions (regime data)
RegimeFor = Callable[[dt.date], Regime]


def _cents(usd: float | None) -> int | None:
    return None if usd is None else round(usd * 100)


def _usd(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _first_error(exc: ValidationError, prefix: str = "") -> InputError:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
    return InputError(f"{prefix}{loc}" or "licence", str(err["msg"]).removeprefix("Value error, "))


@dataclass(frozen=True)
class Recorded:
    """A shipment as recorded: its row, the licence line drawn (if any) and the cap afterwards."""

    shipment_id: int
    product: str
    licence: str | None
    remaining_quantity: int | None
    remaining_value_usd: float | None
    cap: CapStatus | None


class LicenceStore:
    def __init__(self, engine: Engine, catalog: Catalog, regime_for: RegimeFor) -> None:
        self.engine = engine
        # writes take SQLite's write lock up front, so concurrent shipments queue instead of failing
        self._writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        self.catalog = catalog
        self.regime_for = regime_for

    # -- register -------------------------------------------------------------------------------
    def parse(self, raw: Any, field_prefix: str = "") -> Licence:
        try:
            licence = Licence.model_validate(raw)
        except ValidationError as exc:
            raise _first_error(exc, field_prefix) from None
        lines = tuple(
            line
            if is_eccn(line.item)
            else line.model_copy(
                update={"item": self.catalog.get(line.item, f"{field_prefix}lines.{i}.item").name}
            )
            for i, line in enumerate(licence.lines)
        )
        return licence.model_copy(update={"lines": lines})

    def add(self, licence: Licence, allow_overlap: bool = False) -> None:
        with self._writer.begin() as conn:
            if conn.execute(
                sa.select(licences.c.id).where(licences.c.number == licence.number)
            ).first():
                raise InputError("number", f"licence {licence.number} is already registered")
            if not allow_overlap:
                for other in self._states(conn, licences.c.destination == licence.destination):
                    clash = _overlap(licence, other.licence)
                    if clash:
                        raise InputError(
                            "lines",
                            f"licence {licence.number} overlaps licence {other.licence.number} "
                            f"({clash}); register it with allow_overlap if both are real",
                        )
            result = conn.execute(
                sa.insert(licences).values(
                    number=licence.number,
                    issued=licence.issued,
                    expires=licence.expires,
                    destination=licence.destination,
                    parties=json.dumps([p.model_dump(mode="json") for p in licence.parties]),
                    conditions=json.dumps(list(licence.conditions)),
                    registered_at=_now(),
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            conn.execute(
                sa.insert(licence_lines),
                [
                    {
                        "licence_id": key[0],
                        "line_no": n,
                        "item": line.item,
                        "quantity_limit": line.quantity,
                        "value_limit_cents": _cents(line.value_usd),
                    }
                    for n, line in enumerate(licence.lines, start=1)
                ],
            )

    def import_csv(self, path: Path) -> tuple[int, list[str]]:
        """One row per licence line (number, issued, expires, destination, item, quantity, value_usd,
        party_role, party_name, party_country, conditions); rows sharing a number form one licence.
        Bad licences are reported and skipped; the others are registered."""
        if not path.exists():
            raise InputError("file", f"no such file: {path}")
        grouped: dict[str, list[tuple[int, dict[str, str]]]] = {}
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            need = {"number", "issued", "expires", "destination", "item"}
            missing = need - set(reader.fieldnames or [])
            if missing:
                raise InputError("file", f"missing column(s): {', '.join(sorted(missing))}")
            for n, row in enumerate(reader, start=2):
                if n > MAX_CSV_ROWS + 1:
                    raise InputError("file", f"more than {MAX_CSV_ROWS:,} rows")
                grouped.setdefault((row.get("number") or "").strip().upper(), []).append((n, row))
        added, errors = 0, []
        for number, rows in grouped.items():
            first_line = rows[0][0]
            try:
                self.add(self.parse(_licence_from_rows(number, [r for _, r in rows])))
                added += 1
            except InputError as exc:
                errors.append(f"line {first_line} (licence {number or '?'}): {exc}")
        return added, errors

    # -- read -------------------------------------------------------------------------------------
    def all(self) -> list[LicenceState]:
        with self.engine.connect() as conn:
            return self._states(conn)

    def get(self, number: str) -> LicenceState:
        with self.engine.connect() as conn:
            found = self._states(conn, licences.c.number == number.strip().upper())
        if not found:
            raise InputError("licence", f"unknown licence {number!r}")
        return found[0]

    def _states(self, conn: Connection, *where: Any) -> list[LicenceState]:
        rows = conn.execute(sa.select(licences).where(*where).order_by(licences.c.number)).all()
        if not rows:
            return []
        lines: dict[int, list[LineState]] = {}
        for ln in conn.execute(
            sa.select(licence_lines)
            .where(licence_lines.c.licence_id.in_([r.id for r in rows]))
            .order_by(licence_lines.c.line_no)
        ):
            lines.setdefault(ln.licence_id, []).append(
                LineState(
                    ln.line_no,
                    LicenceLine(
                        item=ln.item,
                        quantity=ln.quantity_limit,
                        value_usd=_usd(ln.value_limit_cents),
                    ),
                    int(ln.quantity_used),
                    float(_usd(ln.value_used_cents) or 0.0),
                )
            )
        return [
            LicenceState(
                Licence(
                    number=r.number,
                    issued=r.issued,
                    expires=r.expires,
                    destination=r.destination,
                    lines=tuple(s.line for s in lines[r.id]),
                    parties=tuple(LicenceParty(**p) for p in json.loads(r.parties)),
                    conditions=tuple(json.loads(r.conditions)),
                ),
                tuple(lines[r.id]),
            )
            for r in rows
        ]

    # -- shipments ----------------------------------------------------------------------------------
    def ship(self, shipment: Shipment) -> Recorded:
        """Record a shipment; refuse (recording nothing) one the licence or the cap does not allow."""
        regime = self.regime_for(shipment.shipped_on)
        chip = self.catalog.get(shipment.item, "item")
        cls = classify(chip, regime, catalog=self.catalog)
        eccn = cls.eccn
        capped = _capped_destinations(regime)
        try:
            with self._writer.begin() as conn:
                self._lock_product(conn, chip.name)
                line_id: int | None = None
                remaining: tuple[int | None, float | None] = (None, None)
                if shipment.licence is not None:
                    line_id, remaining = self._draw(conn, shipment, chip.name, eccn)
                cap = None
                if shipment.to_country in capped:
                    cap = self._cap(conn, chip.name, cls.tpp, regime, shipment.quantity)
                    if cap.applies and not cap.fits:
                        raise InputError(
                            "quantity",
                            f"{shipment.quantity:,} units would exceed the volume cap for {chip.name}: "
                            f"headroom is {cap.headroom_units or 0:,} units ({cap.headroom_tpp:,.0f} TPP)",
                        )
                result = conn.execute(
                    sa.insert(shipments).values(
                        reference=shipment.reference,
                        licence_line_id=line_id,
                        product=chip.name,
                        eccn=eccn,
                        tpp_per_unit=cls.tpp,
                        quantity=shipment.quantity,
                        value_cents=_cents(shipment.value_usd),
                        to_country=shipment.to_country,
                        end_user=shipment.end_user,
                        us_end_use=shipment.us_end_use,
                        shipped_on=shipment.shipped_on,
                        recorded_at=_now(),
                    )
                )
                if cap is not None and cap.applies:
                    cap = self._cap(conn, chip.name, cls.tpp, regime, 0)
        except IntegrityError:
            raise InputError(
                "reference", f"a shipment with reference {shipment.reference!r} is already recorded"
            ) from None
        key = result.inserted_primary_key
        assert key is not None
        return Recorded(int(key[0]), chip.name, shipment.licence, *remaining, cap)

    def _lock_product(self, conn: Connection, product: str) -> None:
        """Serialise shipments of one product (the cap is a sum over them). SQLite's BEGIN IMMEDIATE
        already serialises writers; PostgreSQL takes the product row's lock."""
        if not conn.execute(
            sa.select(ledger_products.c.product).where(ledger_products.c.product == product)
        ).first():
            try:
                with conn.begin_nested():
                    conn.execute(sa.insert(ledger_products).values(product=product))
            except IntegrityError:
                pass  # created by a concurrent shipment: lock it below
        conn.execute(
            sa.select(ledger_products.c.product)
            .where(ledger_products.c.product == product)
            .with_for_update()
        )

    def _draw(
        self, conn: Connection, shipment: Shipment, product: str, eccn: str | None
    ) -> tuple[int, tuple[int | None, float | None]]:
        assert shipment.licence is not None
        found = self._states(conn, licences.c.number == shipment.licence)
        if not found:
            raise InputError("licence", f"unknown licence {shipment.licence!r}")
        state = found[0]
        cover = coverage(
            [state],
            product=product,
            eccn=eccn,
            to_country=shipment.to_country,
            end_user=shipment.end_user,
            on=shipment.shipped_on,
            quantity=shipment.quantity,
            value_usd=shipment.value_usd,
        )
        if cover.status != "covered":
            raise InputError("licence", cover.findings[0].text)
        lic_id = conn.execute(
            sa.select(licences.c.id).where(licences.c.number == state.licence.number)
        ).scalar_one()
        value = _cents(shipment.value_usd) or 0
        for line in state.lines:
            if not line_matches(line.line, product, eccn):
                continue
            c = licence_lines.c
            result = conn.execute(
                sa.update(licence_lines)
                .where(
                    c.licence_id == lic_id,
                    c.line_no == line.line_no,
                    sa.or_(
                        c.quantity_limit.is_(None),
                        c.quantity_used + shipment.quantity <= c.quantity_limit,
                    ),
                    sa.or_(
                        c.value_limit_cents.is_(None),
                        c.value_used_cents + value <= c.value_limit_cents,
                    ),
                )
                .values(
                    quantity_used=c.quantity_used + shipment.quantity,
                    value_used_cents=c.value_used_cents + value,
                )
            )
            if result.rowcount == 1:
                row = conn.execute(
                    sa.select(
                        c.id,
                        c.quantity_limit,
                        c.quantity_used,
                        c.value_limit_cents,
                        c.value_used_cents,
                    ).where(c.licence_id == lic_id, c.line_no == line.line_no)
                ).one()
                rem_q = (
                    None if row.quantity_limit is None else row.quantity_limit - row.quantity_used
                )
                rem_v = _usd(
                    None
                    if row.value_limit_cents is None
                    else row.value_limit_cents - row.value_used_cents
                )
                return int(row.id), (rem_q, rem_v)
        raise InputError(
            "quantity",
            f"licence {state.licence.number} no longer has {shipment.quantity:,} units "
            "(or the value) left: another shipment drew it down first",
        )

    def review(self, request: AnyRequest, decision: Decision) -> list[Finding]:
        """For a request that needs a licence: which registered licence covers it, what remains, and
        — on the January-2026 case-by-case path — the volume-cap headroom for this quantity."""
        if not isinstance(request, ExportRequest) or decision.outcome != "license_required":
            return []
        with self.engine.connect() as conn:
            states = self._states(conn, licences.c.destination == request.to_country)
        cover = coverage(
            states,
            product=decision.item.name,
            eccn=decision.item.eccn,
            to_country=request.to_country,
            end_user=request.end_user.name,
            on=request.date,
            quantity=request.quantity,
        )
        findings = list(cover.findings)
        if any(c.id == CAP_CONDITION for c in decision.conditions):
            findings += self.cap(decision.item.name, request.date, request.quantity).findings
        return findings

    # -- the cap ----------------------------------------------------------------------------------
    def cap(self, product: str, on: dt.date, proposed_units: int = 0) -> CapStatus:
        regime = self.regime_for(on)
        chip = self.catalog.get(product, "product")
        cls = classify(chip, regime, catalog=self.catalog)
        with self.engine.connect() as conn:
            return self._cap(conn, chip.name, cls.tpp, regime, proposed_units)

    def _cap(
        self, conn: Connection, product: str, tpp: float | None, regime: Regime, proposed: int
    ) -> CapStatus:
        s = shipments.c
        rows = conn.execute(
            sa.select(s.to_country, s.us_end_use, s.tpp_per_unit, sa.func.sum(s.quantity))
            .where(s.product == product, s.shipped_on <= regime.date)
            .group_by(s.to_country, s.us_end_use, s.tpp_per_unit)
        ).all()
        capped = _capped_destinations(regime)
        us = [(float(t or 0), int(q)) for c, u, t, q in rows if u]
        to_capped = [(float(t or 0), int(q)) for c, _, t, q in rows if c in capped]
        return cap_status(product, tpp, us, to_capped, regime, proposed)

    def ledger(self, product: str | None = None) -> list[dict[str, Any]]:
        """Units and aggregate TPP per product, calendar year and kind of destination."""
        s = shipments.c
        year = sa.func.substr(sa.cast(s.shipped_on, sa.String), 1, 4)
        query = (
            sa.select(
                s.product,
                year.label("year"),
                s.to_country,
                s.us_end_use,
                sa.func.sum(s.quantity).label("units"),
                sa.func.sum(s.quantity * s.tpp_per_unit).label("tpp"),
            )
            .group_by(s.product, year, s.to_country, s.us_end_use)
            .order_by(s.product, year, s.to_country)
        )
        if product is not None:
            query = query.where(s.product == self.catalog.get(product, "product").name)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]


def _capped_destinations(regime: Regime) -> frozenset[str]:
    pv = regime.get_optional("jan2026.destinations")
    return frozenset(pv.value) if pv is not None else frozenset()


def _overlap(new: Licence, old: Licence) -> str | None:
    """Same destination, a common party and a common item while both are valid."""
    if new.expires < old.issued or old.expires < new.issued:
        return None
    party = next((p.name for p in new.parties if old.names(p.name)), None)
    item = next((a.item for a in new.lines for b in old.lines if a.item == b.item), None)
    if party is None or item is None:
        return None
    return f"both cover {item} for {party} between {max(new.issued, old.issued)} and {min(new.expires, old.expires)}"


def _licence_from_rows(number: str, rows: Iterable[dict[str, str]]) -> dict[str, Any]:
    rows = list(rows)
    first = rows[0]

    def opt(row: dict[str, str], key: str) -> str | None:
        value = (row.get(key) or "").strip()
        return value or None

    parties = {
        (opt(r, "party_role"), opt(r, "party_name"), opt(r, "party_country"))
        for r in rows
        if opt(r, "party_name")
    }
    return {
        "number": number,
        "issued": opt(first, "issued"),
        "expires": opt(first, "expires"),
        "destination": opt(first, "destination"),
        "lines": [
            {
                "item": opt(r, "item"),
                "quantity": opt(r, "quantity"),
                "value_usd": opt(r, "value_usd"),
            }
            for r in rows
        ],
        "parties": [
            {"role": role or "ultimate_consignee", "name": name, "country": country}
            for role, name, country in sorted(parties, key=str)
        ],
        "conditions": [c.strip() for c in (opt(first, "conditions") or "").split(";") if c.strip()],
    }
