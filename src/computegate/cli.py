"""Command line: `computegate catalog | classify | timeline | sources | demo`."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from computegate.catalog import Accelerator, Catalog, load_catalog_file
from computegate.cli_licences import register as register_licence_commands
from computegate.engine import REGIME_DIR_ENV, Engine
from computegate.io.dates import parse_date
from computegate.io.errors import ComputegateError, InputError
from computegate.regime import Regime
from computegate.rules import (
    Classification,
    Decision,
    classify,
    overlay_sets,
    parse_request,
)
from computegate.rules.strictness import strictness

app = typer.Typer(
    help="US export controls on AI compute: catalog, classification, license decisions, rule timeline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _settings(
    regime_dir: Annotated[
        Path | None,
        typer.Option(
            "--regime-dir",
            help="Decide on this regime directory (a copy of the bundled data with your changes); "
            "also read from $COMPUTEGATE_REGIME_DIR.",
        ),
    ] = None,
) -> None:
    """Settings for every command: the regime directory reaches the service and Dask workers too."""
    if regime_dir is not None:
        if not (regime_dir / "parameters.yaml").is_file():
            raise InputError("--regime-dir", f"{regime_dir} has no parameters.yaml")
        os.environ[REGIME_DIR_ENV] = str(regime_dir.resolve())


# Piped output gets a wide console so tables stay readable in files and CI logs.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

DEMO_CHIPS = ("H20", "H200", "MI325X", "B200", "B30A")
KIND_LABELS = {
    "legal_ambiguity": "Legal ambiguity",
    "legal_status_unknown": "Legal status unknown past the knowledge horizon",
}
DEMO_DATE = "2026-01-16"

DateOpt = Annotated[
    str | None, typer.Option("--date", help="Regime date, YYYY-MM-DD (default: today).")
]
OverlayOpt = Annotated[
    list[str] | None, typer.Option("--overlay", help="Named what-if overlay (repeatable).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
ListOpt = Annotated[
    Path | None,
    typer.Option(
        "--list",
        help="List file: CSL (.json or .csv), OFAC sdn.csv (with alt, add, comments beside it) or the DPL .txt; default: bundled sample.",
    ),
]
CatalogOpt = Annotated[
    list[Path] | None,
    typer.Option("--catalog", help="Extra catalog file (YAML/JSON) of your own chips."),
]


def _engine(catalog_files: Sequence[Path] | None = None, list_file: Path | None = None) -> Engine:
    """This command's Engine: the bundled data or --regime-dir, plus the user's catalog files."""
    return Engine.load(catalog_files=catalog_files or (), list_path=list_file)


def _regime(engine: Engine, date: str | None, overlays: Sequence[str] | None) -> Regime:
    return engine.regime(parse_date(date, "--date") if date else dt.date.today(), overlays or ())


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


def _print_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))


def _fmt(x: float | None, digits: int = 0) -> str:
    return "?" if x is None else f"{x:,.{digits}f}"


def _yes(x: bool | None) -> str:
    return "?" if x is None else "yes" if x else "no"


def _show_classification(c: Classification) -> None:
    head = Table.grid(padding=(0, 2))
    head.add_row("ECCN", f"[bold]{c.eccn_paragraph or c.reading}[/bold]")
    head.add_row("TPP", f"{_fmt(c.tpp)} ({', '.join(c.tpp_precisions) or 'unknown'})")
    head.add_row("Performance density", _fmt(c.performance_density, 2))
    head.add_row("Total DRAM bandwidth", f"{_fmt(c.total_dram_bandwidth_gbs)} GB/s")
    head.add_row("Jan-2026 window", _yes(c.jan2026_case_by_case_zone))
    head.add_row("US-available at publication", _yes(c.jan2026_us_available_at_publication))
    head.add_row("Sec. 232 band", c.sec232_band or "none")
    eq = c.equivalents
    head.add_row(
        "H100e (TPP / 8-bit / BW)",
        " / ".join(_fmt(eq["h100e"][b], 2) for b in ("tpp", "dense_8bit", "dram_bandwidth")),
    )
    head.add_row("B300e (TPP)", _fmt(eq["b300e"]["tpp"], 2))
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
    engine = _engine(catalog)
    regime, cat = _regime(engine, date, overlay), engine.catalog
    result = classify(_item(cat, name_or_spec_file), regime, catalog=cat)
    if json_out:
        _print_json(result.model_dump(mode="json"))
    else:
        _show_classification(result)


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
    engine = _engine(catalog)
    regime, cat = _regime(engine, date, overlay), engine.catalog
    rows = [(chip, classify(chip, regime, catalog=cat)) for chip in cat]
    if plot is not None:
        from computegate.charts import plot_catalog

        written = plot_catalog([c for _, c in rows], regime, plot)
        err.print(f"chart written to {written}")
    if json_out:
        _print_json(
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
            _fmt(c.tpp),
            _fmt(c.performance_density, 2),
            _fmt(c.total_dram_bandwidth_gbs),
            c.eccn_paragraph or c.reading,
            _yes(c.jan2026_case_by_case_zone),
            _fmt(eq["h100e"]["tpp"], 2),
            _fmt(eq["b300e"]["tpp"], 2),
        )
    out.print(table)
    out.print(
        "[dim]H100e and B300e on the TPP basis; `classify NAME` shows the 8-bit and bandwidth bases.[/dim]"
    )


@app.command()
def timeline(json_out: JsonOpt = False) -> None:
    """The rule history: date, instrument, what changed, citation."""
    data = _engine().data
    rows = sorted(data.instruments.values(), key=lambda i: i.effective)
    if json_out:
        _print_json([i.model_dump(mode="json") for i in rows])
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
    data = _engine().data
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
        _print_json({"instruments": rows, "parameters": params} if parameters else rows)
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


@app.command()
def demo(date: Annotated[str, typer.Option("--date", help="Regime date.")] = DEMO_DATE) -> None:
    """Classify the headline chips of the Jan-2026 rule, then decide two requests users ask about."""
    engine = _engine()
    regime, cat = _regime(engine, date, ()), engine.catalog
    out.rule(f"computegate demo: the Jan-2026 headline chips on {regime.date}")
    for name in DEMO_CHIPS:
        _show_classification(classify(cat.get(name), regime, catalog=cat))
    out.rule("Can we ship 500 H200s to a customer in Shanghai?")
    shanghai = {
        "kind": "export",
        "date": regime.date,
        "item": "H200",
        "quantity": 500,
        "to_country": "CN",
        "end_user": {"name": "Shanghai customer", "headquarters": "CN"},
    }
    _show_decision(engine.decide(shanghai), explain=True)
    out.rule(
        "May a Singapore company owned from Beijing rent 1,024 B200s in Malaysia? (enacted law and S. 3519)"
    )
    rental = {
        "kind": "remote_access",
        "date": regime.date,
        "provider": {"name": "KL Compute", "country": "MY"},
        "datacenter_country": "MY",
        "accelerators": [{"item": "B200", "count": 1024}],
        "customer": {
            "name": "Lion AI Pte Ltd",
            "country": "SG",
            "headquarters": "SG",
            "ultimate_parent_headquarters": "CN",
        },
        "workload": {"type": "ai_training"},
    }
    for overlays in ([], ["rasa-senate"]):
        _show_decision(engine.decide({**rental, "overlays": overlays}), explain=True)
    out.print(
        "Next: `computegate catalog --plot catalog.png`, `computegate timeline`, `computegate decide --help`, "
        "`computegate whatif --request examples/remote-sg-cn-parent-b200-my.json`."
    )


def _load_json_or_yaml(value: str, field: str) -> Any:
    """Inline JSON, or a .json/.yaml file."""
    if value.lstrip().startswith(("{", "[")):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise InputError(field, f"invalid JSON: {exc.msg} at char {exc.pos}") from None
    path = Path(value)
    if not path.exists():
        raise InputError(field, f"no such file: {path}")
    if path.suffix.lower() == ".json":
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(
                field, f"{path}: invalid JSON: {exc.msg} (line {exc.lineno})"
            ) from None
    from computegate.io.files import read_yaml

    return read_yaml(path)


def _show_decision(d: Decision, explain: bool) -> None:
    colour = {
        "no_license_required": "green",
        "license_required": "red",
        "insufficient_information": "yellow",
    }[d.outcome]
    head = Table.grid(padding=(0, 2))
    head.add_row("Outcome", f"[bold {colour}]{d.outcome.replace('_', ' ')}[/]")
    head.add_row("Review policy", (d.review_policy or "—").replace("_", " "))
    head.add_row("License exceptions", ", ".join(d.license_exceptions) or "none")
    head.add_row("Item", f"{d.item.name} — {d.item.eccn_paragraph or d.item.reading}")
    head.add_row(
        "Regime",
        f"{d.regime['date']}"
        + (f" + {', '.join(d.regime['overlays'])}" if d.regime["overlays"] else " (enacted law)"),
    )
    out.print(Panel(head, title="Decision", expand=False))
    if explain:
        for i, f in enumerate(d.findings, 1):
            out.print(f"{i:>2}. {f.text}\n    [dim]{f.rule} — {f.citation}[/dim]")
    else:
        table = Table("rule", "finding", "citation")
        for f in d.findings:
            table.add_row(f.rule, f.text, f"[dim]{f.citation}[/dim]")
        out.print(table)
    if d.conditions:
        out.print("[bold]The exporter must certify or show:[/bold]")
        for c in d.conditions:
            out.print(f"  • {c.text} [dim]({c.citation})[/dim]")
    for m in d.missing_facts:
        label = KIND_LABELS.get(m.kind, "Missing fact")
        out.print(f"[yellow]{label}: {m.question}[/yellow]")
        for k, v in m.outcomes.items():
            out.print(f"  • {k} → {v}")
    for alt in d.alternatives:
        out.print(
            f"[magenta]Alternative reading ({alt.reading}):[/magenta] {alt.outcome}, {alt.review_policy}, exceptions {', '.join(alt.license_exceptions) or 'none'}"
        )
        for f in alt.findings:
            out.print(f"  • {f.text} [dim]({f.citation})[/dim]")


def _screened(request: Any, screener: Any) -> Any:
    from computegate.batch import with_screening

    return with_screening(request, screener) if isinstance(request, dict) else request


def _progress(rows: Any, total: int) -> Any:
    from rich.progress import track

    return track(rows, total=total, description="deciding", console=err, transient=False)


EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Batch engine: local, or dask (a cluster; --output is a directory of parts).",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Dask scheduler address (default: a 2-worker LocalCluster)."),
]


def _dask_batch(
    engine: str,
    scheduler: str | None,
    input_: Path | None,
    output: Path | None,
    command: Any,
    **job: Any,
) -> bool:
    """Run the batch on Dask if asked; False when the local engine should run instead."""
    if engine not in ("local", "dask"):
        raise InputError("--engine", f"{engine!r} is not local or dask")
    if engine == "local":
        if scheduler:
            raise InputError("--scheduler", "needs --engine dask")
        return False
    if input_ is None or output is None:
        raise InputError("--engine", "dask runs batches: give --input and --output")
    from computegate import distributed

    spec = distributed.make_job(command, **job)
    distributed.check_paths(str(input_), str(output))
    with distributed.connect(scheduler) as client:
        s = distributed.run(command, str(input_), str(output), client, spec, progress=_progress)
    found = ", ".join(f"{k}: {v:,}" for k, v in sorted(s.outcomes.items())) or f"{s.hits:,} hits"
    err.print(
        f"{s.rows:,} rows in {s.parts} parts on dask in {s.seconds:.1f}s; {s.errors:,} rows with errors; {found}; written to {output}/"
    )
    return True


@app.command("decide")
def decide_cmd(
    item: Annotated[str | None, typer.Option("--item", help="Catalog name or JSON spec.")] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Destination country (ISO alpha-2).")
    ] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="Origin country for reexports.")
    ] = None,
    kind: Annotated[str, typer.Option("--kind", help="export | reexport | transfer.")] = "export",
    date: DateOpt = None,
    quantity: Annotated[int, typer.Option("--quantity", help="Number of units.")] = 1,
    end_user_json: Annotated[
        str | None,
        typer.Option("--end-user-json", help="End user as inline JSON or a JSON/YAML file."),
    ] = None,
    end_use: Annotated[
        list[str] | None, typer.Option("--end-use", help="End use (repeatable).")
    ] = None,
    facts_json: Annotated[
        str | None,
        typer.Option(
            "--facts-json",
            help="More request facts (origin, exporter, certifications, release, deemed_export, declared_eccn) as inline JSON or a file.",
        ),
    ] = None,
    overlay: OverlayOpt = None,
    request: Annotated[
        str | None,
        typer.Option("--request", help="A request (or list of requests) as a JSON/YAML file."),
    ] = None,
    input_: Annotated[
        Path | None, typer.Option("--input", help="Batch input (.csv or .parquet).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Batch output (.csv or .parquet).")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Batch: include every finding as JSON.")
    ] = False,
    json_out: JsonOpt = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Print the findings as numbered, readable text.")
    ] = False,
    screen_party: Annotated[
        bool,
        typer.Option(
            "--screen",
            help="Screen the end user (or cloud customer) by name and cite the list entry.",
        ),
    ] = False,
    list_file: ListOpt = None,
    catalog: CatalogOpt = None,
    licences: Annotated[
        bool,
        typer.Option(
            "--licences", help="Say which registered licence covers it and the cap headroom."
        ),
    ] = False,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Database of the licence register.")
    ] = None,
    engine: EngineOpt = "local",
    scheduler: SchedulerOpt = None,
) -> None:
    """Is a license required for this export, reexport, transfer or remote access — and why?"""
    if _dask_batch(
        engine,
        scheduler,
        input_,
        output,
        "decide",
        catalog_files=catalog or (),
        list_file=list_file,
        screen=screen_party,
        full=full,
    ):
        return
    core = _engine(catalog)
    if input_ is not None or output is not None:
        if input_ is None or output is None:
            raise InputError("--input/--output", "batch mode needs both --input and --output")
        from computegate.batch import decide_file

        summary = decide_file(
            input_, output, core, full, _progress, _screener(list_file) if screen_party else None
        )
        outcomes = ", ".join(f"{k}: {v:,}" for k, v in sorted(summary.outcomes.items())) or "none"
        err.print(
            f"{summary.rows:,} rows ({summary.distinct:,} distinct situations) in {summary.seconds:.1f}s; {summary.errors:,} rows with errors; {outcomes}; written to {output}"
        )
        return
    screener = _screener(list_file) if screen_party else None
    if request is not None:
        raw = _load_json_or_yaml(request, "--request")
        batch = raw if isinstance(raw, list) else [raw]
        requests = [parse_request(_screened(r, screener)) for r in batch]
    else:
        if item is None or to is None:
            raise InputError(
                "--item/--to", "give --item and --to, or --request FILE, or --input/--output"
            )
        user = _load_json_or_yaml(end_user_json, "--end-user-json") if end_user_json else {}
        when = parse_date(date, "--date") if date else dt.date.today()
        chip: Any = json.loads(item) if item.lstrip().startswith("{") else item
        req = {
            "kind": kind,
            "date": when,
            "item": chip,
            "quantity": quantity,
            "to_country": to,
            "end_user": user,
            "end_use": end_use or [],
            "overlays": overlay or [],
        }
        if from_:
            req["from_country"] = from_
        if facts_json:
            facts = _load_json_or_yaml(facts_json, "--facts-json")
            if not isinstance(facts, dict):
                raise InputError("--facts-json", "expected a JSON object of request fields")
            req |= facts
        requests = [parse_request(_screened(req, screener))]
    decisions = [core.decide(r) for r in requests]
    if licences:
        from computegate.cli_licences import open_store

        store = open_store(database_url, core)
        decisions = [
            d.model_copy(update={"findings": [*d.findings, *store.review(r, d)]})
            for r, d in zip(requests, decisions, strict=True)
        ]
    if json_out:
        payload = [d.model_dump(mode="json") for d in decisions]
        _print_json(
            payload if len(payload) > 1 or (request and isinstance(raw, list)) else payload[0]
        )
        return
    for d in decisions:
        _show_decision(d, explain)


@app.command()
def compare(
    request: Annotated[
        str, typer.Option("--request", help="The request, as a JSON/YAML file or inline JSON.")
    ],
    dates: Annotated[
        str | None,
        typer.Option("--dates", help="Comma-separated dates, e.g. 2026-01-14,2026-01-16."),
    ] = None,
    overlay_sets: Annotated[
        str | None,
        typer.Option(
            "--overlays",
            help="';'-separated overlay sets, each comma-separated; 'none' = enacted law.",
        ),
    ] = None,
    json_out: JsonOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """The same request decided on several dates and/or overlay sets, side by side."""
    raw = _load_json_or_yaml(request, "--request")
    if not isinstance(raw, dict):
        raise InputError("--request", "compare takes one request (a JSON/YAML object)")
    engine = _engine(catalog)
    when = (
        [parse_date(d, "--dates") for d in dates.split(",")]
        if dates
        else [parse_date(raw.get("date", ""), "date")]
    )
    sets = (
        [
            [] if s.strip() in ("", "none") else [o.strip() for o in s.split(",")]
            for s in overlay_sets.split(";")
        ]
        if overlay_sets
        else [list(raw.get("overlays", []))]
    )
    runs = [(d, o, engine.decide({**raw, "date": d, "overlays": o})) for d in when for o in sets]
    if json_out:
        _print_json(
            [
                {"date": d.isoformat(), "overlays": o, "decision": dec.model_dump(mode="json")}
                for d, o, dec in runs
            ]
        )
        return
    table = Table(
        "",
        *[f"{d}\n{', '.join(o) or 'enacted law'}" for d, o, _ in runs],
        title="Same request, different dates / overlays",
    )
    table.add_row("outcome", *[dec.outcome.replace("_", " ") for *_, dec in runs])
    table.add_row(
        "review policy", *[(dec.review_policy or "—").replace("_", " ") for *_, dec in runs]
    )
    table.add_row("exceptions", *[", ".join(dec.license_exceptions) or "none" for *_, dec in runs])
    table.add_row("conditions", *[str(len(dec.conditions)) for *_, dec in runs])
    table.add_row(
        "missing facts",
        *[", ".join(m.fact for m in dec.missing_facts) or "none" for *_, dec in runs],
    )
    table.add_row(
        "as written",
        *[
            ", ".join(f"{a.outcome}/{a.review_policy}" for a in dec.alternatives) or "—"
            for *_, dec in runs
        ],
    )
    out.print(table)
    rules = [{f.rule for f in dec.findings} for *_, dec in runs]
    common = set.intersection(*rules) if rules else set()
    for (d, o, dec), own in zip(runs, rules, strict=True):
        extra = [f for f in dec.findings if f.rule in own - common]
        if extra:
            out.print(f"[bold]Only on {d} {', '.join(o) or ''}:[/bold]")
            for f in extra:
                out.print(f"  • {f.text} [dim]({f.citation})[/dim]")


def _driver(d: Decision) -> str:
    """What decides this row: its decisive findings (the registry's roles), the last two of them —
    the requirement or coverage, then the policy it leads to."""
    decisive = [f.text for f in d.findings if f.role == "decisive"]
    return "; ".join(decisive[-2:]) if decisive else d.findings[-1].text


@app.command()
def whatif(
    request: Annotated[
        str, typer.Option("--request", help="The request, as a JSON/YAML file or inline JSON.")
    ],
    json_out: JsonOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """One row per overlay set (enacted law; each pending bill or what-if; all together), side by side."""
    raw = _load_json_or_yaml(request, "--request")
    if not isinstance(raw, dict):
        raise InputError("--request", "whatif takes one request (a JSON/YAML object)")
    engine = _engine(catalog)
    runs = [
        (o, engine.decide({**raw, "overlays": o}))
        for o in overlay_sets(str(raw.get("kind", "")), engine.data)
    ]
    if json_out:
        _print_json([{"overlays": o, "decision": d.model_dump(mode="json")} for o, d in runs])
        return
    table = Table(
        "overlays",
        "outcome",
        "review policy",
        "conditions",
        "missing facts",
        "what decides it",
        title="What if…",
        show_lines=True,
    )
    for o, d in runs:
        table.add_row(
            ", ".join(o) or "enacted law",
            d.outcome.replace("_", " "),
            (d.review_policy or "—").replace("_", " "),
            str(len(d.conditions)),
            ", ".join(m.fact for m in d.missing_facts) or "none",
            _driver(d),
        )
    out.print(table)
    reforms = [(o, d) for o, d in runs if o]
    if reforms:
        worst = max(strictness(d.outcome, d.review_policy) for _, d in reforms)
        names = [
            ", ".join(o) for o, d in reforms if strictness(d.outcome, d.review_policy) == worst
        ]
        out.print(f"Strictest for this request, side by side: {' = '.join(names)}")


def _screener(list_file: Path | None, threshold: float | None = None) -> Any:
    from computegate.screening import DEFAULT_THRESHOLD, Screener, load_list

    return Screener(load_list(list_file), threshold if threshold is not None else DEFAULT_THRESHOLD)


@app.command()
def screen(
    name: Annotated[str | None, typer.Argument(help="The name to screen (any script).")] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="ISO country of the party.")
    ] = None,
    list_file: ListOpt = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=0.0, max=1.0, help="Hit threshold (default 0.86)."),
    ] = None,
    input_: Annotated[
        Path | None, typer.Option("--input", help="Batch: CSV/Parquet with id, name[, country].")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Batch output (.csv or .parquet).")
    ] = None,
    json_out: JsonOpt = False,
    engine: EngineOpt = "local",
    scheduler: SchedulerOpt = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", help="entity, person or vessel: only list entries of that kind hit."
        ),
    ] = None,
) -> None:
    """Screen a name (or a file of names) against restricted-party lists, with explained scores."""
    if _dask_batch(
        engine, scheduler, input_, output, "screen", list_file=list_file, threshold=threshold
    ):
        return
    screener = _screener(list_file, threshold)
    if input_ is not None or output is not None:
        if input_ is None or output is None:
            raise InputError("--input/--output", "batch mode needs both --input and --output")
        from computegate.batch import read_table, screen_frame, write_table

        frame, hits = screen_frame(read_table(input_), screener, _progress)
        write_table(frame, output)
        err.print(
            f"{frame.height:,} names screened against {screener.list.identity.source} ({screener.list.identity.entries:,} entries, sha256 {screener.list.identity.sha256[:12]}); {hits:,} hits; written to {output}"
        )
        return
    if not name:
        raise InputError("NAME", "give a name to screen, or --input/--output for a file")
    if kind not in (None, "entity", "person", "vessel"):
        raise InputError("--kind", f"expected entity, person or vessel, got {kind!r}")
    result = screener.screen(name, country, kind=kind)
    if json_out:
        payload = result.model_dump(mode="json")
        _print_json(
            {k: payload[k] for k in ("query", "country", "list", "threshold", "hit", "hits")}
        )
        return
    ident = result.list
    out.print(
        f"[bold]{name}[/bold] vs {ident.source} ({ident.entries:,} entries, sha256 {ident.sha256[:12]}, loaded {ident.loaded_at})"
    )
    verdict = "[red]HIT[/red]" if result.hit else "[green]no hit[/green]"
    out.print(f"{verdict} at threshold {result.threshold}")
    table = Table("score", "entry", "matched name", "list", "notice", "why")
    for h in result.hits:
        comp = h.explanation["components"]
        why = ", ".join(f"{k} {v}" for k, v in comp.items())
        table.add_row(
            f"{h.score:.3f}",
            h.entry_name,
            h.matched_name,
            h.source,
            h.federal_register_notice or "",
            why,
        )
    out.print(table)


def _years(text: str) -> list[int]:
    try:
        if "-" in text:
            first, last = (int(x) for x in text.split("-", 1))
            years = list(range(first, last + 1))
        else:
            years = [int(x) for x in text.split(",")]
    except ValueError:
        raise InputError("--years", f"{text!r} is not a year range like 2024-2030") from None
    if not years or years[0] < 2022 or years[-1] > 2040 or years != sorted(years):
        raise InputError("--years", f"{text!r}: years must be ascending within 2022-2040")
    return years


@app.command()
def simulate(
    scenarios: Annotated[
        list[str],
        typer.Argument(
            help="Shipped scenario names or your own scenario YAML files; or `validate` to check "
            "the profile against published estimates."
        ),
    ],
    years: Annotated[
        str, typer.Option("--years", help="Year range, e.g. 2024-2030.")
    ] = "2024-2030",
    draws: Annotated[
        int, typer.Option("--draws", min=100, max=1_000_000, help="Monte Carlo draws.")
    ] = 10_000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed (same seed, same numbers).")
    ] = 20260115,
    basis: Annotated[
        str | None,
        typer.Option("--basis", help="e.g. b300e:tpp, h100e:dense_8bit, b300e:dense_fp4."),
    ] = None,
    profile: Annotated[
        str, typer.Option("--profile", help="Assumptions: default, or ifp-cfr (the seed's).")
    ] = "default",
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write results.csv and charts (PNG and SVG) here.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """US vs China AI compute under policy scenarios, with uncertainty bands."""
    from computegate.engine import Engine
    from computegate.simulation import BASES, Context, resolve_scenario
    from computegate.simulation import simulate as run

    if basis is not None and basis not in BASES:
        raise InputError("--basis", f"unknown basis {basis!r} (known: {', '.join(BASES)})")
    engine = Engine.load()
    context = Context(engine)
    if scenarios == ["validate"]:
        _simulate_validate(profile, json_out, context)
        return
    chosen = [resolve_scenario(s, profile, engine.data.overlays) for s in scenarios]
    span = _years(years)
    try:
        results = run(chosen, span, draws, seed, basis, context)
    except ValueError as exc:
        raise InputError("SCENARIO", str(exc)) from None
    if out_dir is not None:
        from computegate.simulation import tornado
        from computegate.simulation_charts import channels_chart, fan_chart, tornado_chart

        out_dir.mkdir(parents=True, exist_ok=True)
        results.frame.write_csv(out_dir / "results.csv")
        year = 2026 if 2026 in span else span[0]
        written = [
            out_dir / "results.csv",
            *fan_chart(results, out_dir),
            *fan_chart(results, out_dir, "stock_ratio"),
            *fan_chart(results, out_dir, "stock_ratio_cloud_at_cost"),
            *channels_chart(results, out_dir),
        ]
        swings = {s.name: tornado(s, year, context=context, basis=results.basis) for s in chosen}
        written += tornado_chart(swings, year, out_dir)
        err.print(f"wrote {', '.join(p.name for p in written)} to {out_dir}")
    if json_out:
        _print_json(results.as_json())
        return
    frame = results.frame
    titles = {
        "flow_ratio": f"US:China compute gained per year (flow ratio, {results.basis}, "
        f"profile {results.profile}): median [5%-95%]",
        "stock_ratio": "US:China effective compute stock ratio: median [5%-95%]",
        "stock_ratio_cloud_at_cost": "Stock ratio with rented cloud at its owning-cost "
        "equivalent (cloud / cloud_cost_ratio)",
    }
    for metric, title in titles.items():
        table = Table("scenario", *[str(y) for y in span], title=title)
        for scenario in chosen:
            rows = {
                r["year"]: r
                for r in frame.filter(
                    (pl_col("scenario") == scenario.name) & (pl_col("metric") == metric)
                ).to_dicts()
            }
            table.add_row(
                scenario.name,
                *[
                    f"{rows[y]['median']:.1f} [{rows[y]['p5']:.1f}-{rows[y]['p95']:.1f}]"
                    for y in span
                ],
            )
        out.print(table)
    if len(chosen) > 1:
        base = chosen[0].name
        table = Table(
            "scenario",
            *[str(y) for y in span],
            title=f"China's compute gained vs {base}, paired draws ({results.basis}, thousands): "
            "median [5%-95%]",
        )
        delta = results.paired("china_flow", base)
        for scenario in chosen[1:]:
            rows = {
                r["year"]: r for r in delta.filter(pl_col("scenario") == scenario.name).to_dicts()
            }
            table.add_row(
                scenario.name,
                *[
                    f"{rows[y]['median'] / 1e3:+,.0f} [{rows[y]['p5'] / 1e3:+,.0f}"
                    f" to {rows[y]['p95'] / 1e3:+,.0f}]"
                    for y in span
                ],
            )
        out.print(table)
    for note in results.notes:
        out.print(f"[dim]note: {note}[/dim]")
    out.print(
        f"[dim]{draws:,} draws, seed {seed}. Full series: --out DIR (results.csv) or --json.[/dim]"
    )


def _simulate_validate(profile: str, json_out: bool, context: Any) -> None:
    from computegate.simulation import profile_path
    from computegate.simulation.validate import as_rows, validate

    profile_path(profile)  # a clear error for an unknown profile
    rows = as_rows(validate(profile, context=context))
    passed = sum(r["pass"] for r in rows)
    by_split = {
        split: (
            sum(r["pass"] for r in rows if r["split"] == split),
            sum(r["split"] == split for r in rows),
        )
        for split in ("dev", "test")
    }
    if json_out:
        _print_json(
            {
                "profile": profile,
                "passed": passed,
                "total": len(rows),
                "splits": {k: {"passed": p, "total": t} for k, (p, t) in by_split.items()},
                "rows": rows,
            }
        )
        return
    splits = ", ".join(f"{k} {p}/{t}" for k, (p, t) in by_split.items())
    table = Table(
        "estimate",
        "split",
        "quantity",
        "basis",
        "published [interval]",
        "model",
        "within",
        "source / why missed",
        title=f"Profile {profile!r} vs published estimates: {passed}/{len(rows)} within ({splits})",
    )
    for r in rows:
        low, high = r["interval"]
        why = r["miss"] if not r["pass"] and r["miss"] else r["source"]
        table.add_row(
            r["id"],
            r["split"],
            r["quantity"],
            r["basis"],
            f"{r['value']} [{low:.3g}-{high:.3g}]",
            f"{r['model']:.3g}",
            "yes" if r["pass"] else "NO",
            why,
        )
    out.print(table)


def pl_col(name: str) -> Any:
    import polars as pl

    return pl.col(name)


from computegate.api.commands import register  # noqa: E402  (serve, keys, audit)

register(app)


lists_app = typer.Typer(help="Restricted-party list files kept current.", no_args_is_help=True)
app.add_typer(lists_app, name="lists")


@lists_app.command("update")
def lists_update(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where versions are kept (use it as --list DIR).")
    ] = Path("var/lists"),
    url: Annotated[
        str | None, typer.Option("--url", help="Default: the official Consolidated Screening List.")
    ] = None,
) -> None:
    """Download the list if it changed (conditional GET); keep earlier versions; record the version."""
    from computegate.screening.update import OFFICIAL_CSL, update_list

    version, changed = update_list(directory, url or OFFICIAL_CSL)
    state = "new version" if changed else "unchanged"
    out.print(
        f"{state}: {directory / version.file} ({version.entries:,} entries, sha256 {version.sha256[:12]}, fetched {version.fetched_at})"
    )


register_licence_commands(app)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and exit code 2, never a traceback."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="computegate")
    except ComputegateError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
