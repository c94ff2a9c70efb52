"""CLI groups for the licence register, shipments, the volume cap and change impact."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from computegate.engine import Engine
from computegate.io.dates import parse_date
from computegate.io.errors import InputError
from computegate.licensing.coverage import state_json
from computegate.licensing.impact import Case, ImpactReport, RegimeChange, impact
from computegate.licensing.model import Shipment
from computegate.regime import load_regime_data
from computegate.store.licences import LicenceStore
from computegate.surfaces.cli.common import JsonOpt, app, load_json_or_yaml, out

licences_app = typer.Typer(
    help="The licence register (BIS licences you hold).", no_args_is_help=True
)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL (default: $COMPUTEGATE_DATABASE_URL or SQLite in ./var/).",
    ),
]
MAX_ORDERS = 1_000_000


def open_store(url: str | None, core: Engine | None = None) -> LicenceStore:
    """The licence register in the database, deciding on the given Engine (default: a new one)."""
    from computegate.store.db import open_database

    core = core or Engine.load()
    return LicenceStore(open_database(url), core.catalog, lambda d: core.regime(d))


@licences_app.command("add")
def licences_add(
    licence: Annotated[str, typer.Argument(help="The licence as inline JSON or a JSON/YAML file.")],
    allow_overlap: Annotated[
        bool, typer.Option("--allow-overlap", help="Register even if it overlaps another licence.")
    ] = False,
    database_url: DbOpt = None,
) -> None:
    """Register a licence: number, issued, expires, destination, lines (item, quantity, value_usd),
    parties (role, name, country), conditions."""
    store = open_store(database_url)
    parsed = store.parse(load_json_or_yaml(licence, "licence"))
    store.add(parsed, allow_overlap)
    out.print(f"registered licence {parsed.number} ({len(parsed.lines)} line(s))")


@licences_app.command("import")
def licences_import(
    file: Annotated[Path, typer.Argument(help="CSV, one row per licence line.")],
    database_url: DbOpt = None,
) -> None:
    """Register licences from a CSV; bad licences are reported by line and skipped."""
    added, errors = open_store(database_url).import_csv(file)
    for e in errors:
        out.print(f"[red]{e}[/red]", soft_wrap=True)
    out.print(f"registered {added} licence(s); {len(errors)} rejected")
    if errors:
        raise typer.Exit(1)


@licences_app.command("list")
def licences_list(json_out: JsonOpt = False, database_url: DbOpt = None) -> None:
    """Every registered licence with what remains on it."""
    states = open_store(database_url).all()
    if json_out:
        out.print_json(json.dumps([state_json(s) for s in states]))
        return
    table = Table("licence", "destination", "valid", "item", "quantity left", "value left (USD)")
    for s in states:
        for line in s.lines:
            table.add_row(
                s.licence.number,
                s.licence.destination,
                f"{s.licence.issued} – {s.licence.expires}",
                line.line.item,
                "—" if line.remaining_quantity is None else f"{line.remaining_quantity:,}",
                "—" if line.remaining_value is None else f"{line.remaining_value:,.2f}",
            )
    out.print(table)


@licences_app.command("show")
def licences_show(
    number: Annotated[str, typer.Argument(help="Licence number.")], database_url: DbOpt = None
) -> None:
    """One licence in full, as JSON."""
    out.print_json(json.dumps(state_json(open_store(database_url).get(number))))


def ship(
    item: Annotated[str, typer.Option("--item", help="Catalog product name.")],
    quantity: Annotated[int, typer.Option("--quantity", min=1)],
    to: Annotated[str, typer.Option("--to", help="Destination country (ISO alpha-2).")],
    date: Annotated[
        str | None, typer.Option("--date", help="Shipment date (default today).")
    ] = None,
    licence: Annotated[str | None, typer.Option("--licence", help="Licence drawn down.")] = None,
    end_user: Annotated[str | None, typer.Option("--end-user", help="End user's name.")] = None,
    value: Annotated[float | None, typer.Option("--value", help="Value in USD.")] = None,
    us_end_use: Annotated[
        bool, typer.Option("--us-end-use", help="A US customer for US end use (the cap's base).")
    ] = False,
    reference: Annotated[
        str | None, typer.Option("--reference", help="Order reference (recorded once).")
    ] = None,
    database_url: DbOpt = None,
) -> None:
    """Record a shipment: drawn against a licence, checked against the volume cap, or a US sale."""
    from pydantic import ValidationError

    from computegate.store.licences import _first_error

    try:
        shipment = Shipment(
            item=item,
            quantity=quantity,
            to_country=to,
            shipped_on=parse_date(date, "--date") if date else dt.date.today(),
            licence=licence,
            end_user=end_user,
            value_usd=value,
            us_end_use=us_end_use,
            reference=reference,
        )
    except ValidationError as exc:
        raise _first_error(exc) from None
    rec = open_store(database_url).ship(shipment)
    out.print(f"recorded shipment {rec.shipment_id}: {quantity:,} × {rec.product} to {to}")
    if rec.licence:
        left = "no limit" if rec.remaining_quantity is None else f"{rec.remaining_quantity:,}"
        out.print(f"licence {rec.licence}: {left} units left")
    if rec.cap is not None and rec.cap.applies:
        out.print(
            f"volume cap headroom now {rec.cap.headroom_tpp:,.0f} TPP ({rec.cap.headroom_units or 0:,} units)"
        )


def cap(
    product: Annotated[str, typer.Argument(help="Catalog product name.")],
    date: Annotated[str | None, typer.Option("--date", help="As of (default today).")] = None,
    quantity: Annotated[
        int, typer.Option("--quantity", min=0, help="Would this many more fit?")
    ] = 0,
    json_out: JsonOpt = False,
    database_url: DbOpt = None,
) -> None:
    """The volume cap for a product: US and China/Macau shipments, limit and headroom."""
    store = open_store(database_url)
    when = parse_date(date, "--date") if date else dt.date.today()
    status = store.cap(product, when, quantity)
    ledger = store.ledger(product)
    if json_out:
        payload = {k: v for k, v in status.__dict__.items() if k != "findings"}
        payload["findings"] = [f.model_dump() for f in status.findings]
        payload["ledger"] = ledger
        out.print_json(json.dumps(payload, default=str))
        return
    for f in status.findings:
        out.print(f"• {f.text} [dim]({f.citation})[/dim]", soft_wrap=True)
    table = Table(
        "year", "to", "US end use", "units", "aggregate TPP", title=f"{status.product} shipments"
    )
    for row in ledger:
        table.add_row(
            str(row["year"]),
            row["to_country"],
            "yes" if row["us_end_use"] else "no",
            f"{int(row['units']):,}",
            f"{float(row['tpp'] or 0):,.0f}",
        )
    out.print(table)
    if quantity and not status.fits:
        raise typer.Exit(1)


def _orders(path: Path) -> Iterator[Case]:
    """Open orders: batch columns (.csv/.parquet, rows numbered as in the file) or requests."""
    if path.suffix.lower() in (".csv", ".parquet"):
        from computegate.surfaces.batch import read_table, row_to_request

        for n, row in enumerate(read_table(path).iter_rows(named=True), start=2):
            yield f"{path.name} line {n}", partial(row_to_request, row), None
        return
    raw = load_json_or_yaml(str(path), "--orders")
    for n, request in enumerate(raw if isinstance(raw, list) else [raw], start=1):
        yield f"{path.name} #{n}", partial(_mapping, request, f"#{n}"), None


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(where, "a request must be an object")
    return value


def _audit_cases(url: str | None) -> Iterator[Case]:
    import sqlalchemy as sa

    from computegate.store.models import audit_log

    store = open_store(url)
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.id, audit_log.c.request, audit_log.c.response)
            .where(audit_log.c.kind == "decide")
            .order_by(audit_log.c.id)
        )
        for row in rows:
            yield f"audit #{row.id}", partial(json.loads, row.request), json.loads(row.response)


def impact_cmd(
    date: Annotated[
        str | None, typer.Option("--date", help="Re-decide every request on this date.")
    ] = None,
    regime_dir: Annotated[
        Path | None, typer.Option("--regime-dir", help="Re-decide under this regime directory.")
    ] = None,
    overlay: Annotated[
        list[str] | None, typer.Option("--overlay", help="Add this overlay (repeatable).")
    ] = None,
    orders: Annotated[
        Path | None, typer.Option("--orders", help="Open orders (.csv, .parquet, .json, .yaml).")
    ] = None,
    audit: Annotated[
        bool, typer.Option("--audit/--no-audit", help="Include the audit log's decisions.")
    ] = True,
    json_out: JsonOpt = False,
    database_url: DbOpt = None,
) -> None:
    """Which past decisions and open orders change under another date, regime or overlay — and why."""
    change = RegimeChange(
        date=parse_date(date, "--date") if date else None,
        data=load_regime_data(regime_dir) if regime_dir else None,
        overlays=tuple(overlay or ()),
    )
    if change.describe() == "no change":
        raise InputError("--date/--regime-dir/--overlay", "say what to compare against")
    cases: list[Case] = []
    if audit:
        cases += _audit_cases(database_url)
    if orders is not None:
        cases += _orders(orders)
    if len(cases) > MAX_ORDERS:
        raise InputError("--orders", f"more than {MAX_ORDERS:,} decisions to re-decide")
    report = impact(cases, change, Engine.load())
    if json_out:
        out.print_json(json.dumps(report.as_dict()))
        return
    show_impact(report)


def show_impact(report: ImpactReport) -> None:
    out.print(
        f"{report.checked:,} decisions re-decided under {report.change}: {len(report.changed):,} change"
    )
    for key, items in report.groups().items():
        out.print(
            f"\n[bold]{', '.join(key) or 'same provisions, different answer'}[/bold] — {len(items)}"
        )
        table = Table("decision", "before", "after", "why")
        for c in items:
            table.add_row(
                c.source,
                f"{c.before.outcome} / {c.before.review_policy or '—'}",
                f"{c.after.outcome} / {c.after.review_policy or '—'}",
                c.why,
            )
        out.print(table)
    for e in report.errors:
        out.print(f"[red]{e}[/red]", soft_wrap=True)


app.add_typer(licences_app, name="licences")
app.command("ship")(ship)
app.command("cap")(cap)
app.command("impact")(impact_cmd)
