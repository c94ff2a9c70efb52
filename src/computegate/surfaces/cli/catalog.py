"""Commands about chips and the rules' history: `classify`, `catalog`, `timeline`, `sources`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from computegate.catalog import Accelerator, Catalog, load_catalog_file
from computegate.io.errors import InputError
from computegate.rules import Classification, classify
from computegate.surfaces.cli.common import (
    KIND_LABELS,
    CatalogOpt,
    DateOpt,
    JsonOpt,
    OverlayOpt,
    app,
    engine_for,
    err,
    fmt,
    out,
    print_json,
    regime_on,
    yes_no,
)


def _item(catalog: Catalog, name_or_file: str) -> Accelerator:
    """A catalog name, an inline JSON spec, or a spec file (.json/.yaml/.yml)."""
    path = Path(name_or_file)
    if path.suffix.lower() in (".json", ".yaml", ".yml"):
        chips = load_catalog_file(path)
        if len(chips) != 1:
            raise InputError(
                "NAME_OR_SPEC_FILE",
                f"{path} holds {len(chips)} chips; pass one spec, or use --catalog",
            )
        return catalog.resolve(chips[0], "NAME_OR_SPEC_FILE")
    return catalog.resolve(name_or_file, "NAME_OR_SPEC_FILE")


def show_classification(c: Classification) -> None:
    head = Table.grid(padding=(0, 2))
    head.add_row("ECCN", f"[bold]{c.eccn_paragraph or c.reading}[/bold]")
    head.add_row("TPP", f"{fmt(c.tpp)} ({', '.join(c.tpp_precisions) or 'unknown'})")
    head.add_row("Performance density", fmt(c.performance_density, 2))
    head.add_row("Total DRAM bandwidth", f"{fmt(c.total_dram_bandwidth_gbs)} GB/s")
    head.add_row("Jan-2026 window", yes_no(c.jan2026_case_by_case_zone))
    head.add_row("US-available at publication", yes_no(c.jan2026_us_available_at_publication))
    head.add_row("Sec. 232 band", c.sec232_band or "none")
    eq = c.equivalents
    head.add_row(
        "H100e (TPP / 8-bit / BW)",
        " / ".join(fmt(eq["h100e"][b], 2) for b in ("tpp", "dense_8bit", "dram_bandwidth")),
    )
    head.add_row("B300e (TPP)", fmt(eq["b300e"]["tpp"], 2))
    out.print(Panel(head, title=f"{c.name} on {c.regime['date']}", expand=False))
    findings = Table("rule", "finding", "citation", show_lines=False, expand=False)
    for f in c.findings:
        findings.add_row(f.rule, f.text, f"[dim]{f.citation}[/dim]")
    out.print(findings)
    for m in c.missing_facts:
        label = KIND_LABELS.get(m.kind, "Missing fact")
        lines = "\n".join(f"  • {k} → {v}" for k, v in m.outcomes.items())
        out.print(f"[yellow]{label}: {m.question}[/yellow]\n{lines}")


@app.command("classify")
def classify_cmd(
    name_or_spec_file: Annotated[
        str,
        typer.Argument(metavar="NAME_OR_SPEC_FILE", help="Catalog name, JSON spec, or spec file."),
    ],
    date: DateOpt = None,
    overlay: OverlayOpt = None,
    json_out: JsonOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Classify one chip: ECCN, Jan-2026 window, Section 232 band, with cited findings."""
    engine = engine_for(catalog)
    regime, cat = regime_on(engine, date, overlay), engine.catalog
    result = classify(_item(cat, name_or_spec_file), regime, catalog=cat)
    if json_out:
        print_json(result.model_dump(mode="json"))
    else:
        show_classification(result)


@app.command("catalog")
def catalog_cmd(
    date: DateOpt = None,
    overlay: OverlayOpt = None,
    json_out: JsonOpt = False,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the TPP/PD and TPP/bandwidth charts (.png/.svg/.pdf)."),
    ] = None,
    catalog: CatalogOpt = None,
) -> None:
    """List the catalog with its export-control metrics on a date."""
    engine = engine_for(catalog)
    regime, cat = regime_on(engine, date, overlay), engine.catalog
    rows = [(chip, classify(chip, regime, catalog=cat)) for chip in cat]
    if plot is not None:
        from computegate.surfaces.charts import plot_catalog

        written = plot_catalog([c for _, c in rows], regime, plot)
        err.print(f"chart written to {written}")
    if json_out:
        print_json(
            [
                {
                    **chip.model_dump(mode="json", exclude_none=True),
                    "classification": c.model_dump(mode="json"),
                }
                for chip, c in rows
            ]
        )
        return
    table = Table(
        "chip",
        "vendor",
        "year",
        "TPP",
        "PD",
        "DRAM GB/s",
        "ECCN",
        "Jan-26 window",
        "H100e",
        "B300e",
        title=f"Catalog on {regime.date}",
    )
    for chip, c in rows:
        eq = c.equivalents
        table.add_row(
            chip.name,
            chip.vendor or "?",
            str(chip.year or "?"),
            fmt(c.tpp),
            fmt(c.performance_density, 2),
            fmt(c.total_dram_bandwidth_gbs),
            c.eccn_paragraph or c.reading,
            yes_no(c.jan2026_case_by_case_zone),
            fmt(eq["h100e"]["tpp"], 2),
            fmt(eq["b300e"]["tpp"], 2),
        )
    out.print(table)
    out.print(
        "[dim]H100e and B300e on the TPP basis; `classify NAME` shows the 8-bit and bandwidth bases.[/dim]"
    )


@app.command()
def timeline(json_out: JsonOpt = False) -> None:
    """The rule history: date, instrument, what changed, citation."""
    data = engine_for().data
    rows = sorted(data.instruments.values(), key=lambda i: i.effective)
    if json_out:
        print_json([i.model_dump(mode="json") for i in rows])
        return
    table = Table("effective", "rule", "status", "what changed", "citation", show_lines=True)
    for i in rows:
        cite = (
            "; ".join(x for x in (i.fr, i.fr_doc and f"FR Doc {i.fr_doc}") if x)
            or i.cite_as
            or i.kind
        )
        when = i.effective.isoformat() + (f" (comply {i.compliance})" if i.compliance else "")
        table.add_row(when, i.title, i.status, i.changes, cite)
    out.print(table)
    dated = sorted(
        (period.value, name, param.description, period.cfr)
        for name, param in data.parameters.items()
        if param.type == "date"
        for period in param.periods
    )
    extra = Table("date", "parameter", "what", "citation", title="Dates set by parameters")
    for value, name, what, cfr in dated:
        extra.add_row(value.isoformat(), name, what, cfr)
    out.print(extra)
    out.print(f"[dim]{data.meta.knowledge_note}[/dim]")


@app.command()
def sources(
    json_out: JsonOpt = False,
    parameters: Annotated[
        bool, typer.Option("--parameters", help="Also list every parameter's verification.")
    ] = False,
) -> None:
    """Every instrument (and, with --parameters, every parameter): confidence and date verified."""
    data = engine_for().data
    rows = [
        {
            "id": i.id,
            "effective": i.effective.isoformat(),
            "status": i.status,
            "confidence": i.confidence,
            "verified": i.verified.isoformat() if i.verified else None,
            "citation": "; ".join(x for x in (i.fr, i.fr_doc and f"FR Doc {i.fr_doc}") if x)
            or i.cite_as
            or i.title,
        }
        for i in sorted(data.instruments.values(), key=lambda i: i.effective)
    ]
    params = [
        {
            "parameter": n,
            "confidence": p.confidence,
            "verified": p.verified and p.verified.isoformat(),
        }
        for n, p in sorted(data.parameters.items())
    ]
    if json_out:
        print_json({"instruments": rows, "parameters": params} if parameters else rows)
        return
    table = Table(*rows[0].keys(), title="Instruments")
    for row in rows:
        table.add_row(*(str(v or "") for v in row.values()))
    out.print(table)
    if parameters:
        ptable = Table("parameter", "confidence", "verified", title="Parameters")
        for prow in params:
            ptable.add_row(*(str(v or "") for v in prow.values()))
        out.print(ptable)
    out.print(
        f"[dim]Knowledge horizon {data.meta.knowledge_horizon}; see docs/law-verification.md[/dim]"
    )
