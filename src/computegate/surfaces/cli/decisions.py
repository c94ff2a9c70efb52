"""License decisions: `decide` (one request, a list, or a batch file), `compare`, `whatif`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.panel import Panel
from rich.table import Table

from computegate.io.dates import parse_date
from computegate.io.errors import InputError
from computegate.rules import Decision, overlay_sets, parse_request
from computegate.rules.strictness import strictness
from computegate.surfaces.cli.cluster import EngineOpt, SchedulerOpt, dask_batch
from computegate.surfaces.cli.common import (
    KIND_LABELS,
    CatalogOpt,
    DateOpt,
    JsonOpt,
    ListOpt,
    OverlayOpt,
    app,
    engine_for,
    err,
    load_json_or_yaml,
    out,
    print_json,
    progress,
    screener_for,
)


def show_decision(d: Decision, explain: bool) -> None:
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
    from computegate.surfaces.batch import with_screening

    return with_screening(request, screener) if isinstance(request, dict) else request


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
    if dask_batch(
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
    core = engine_for(catalog)
    if input_ is not None or output is not None:
        if input_ is None or output is None:
            raise InputError("--input/--output", "batch mode needs both --input and --output")
        from computegate.surfaces.batch import decide_file

        summary = decide_file(
            input_, output, core, full, progress, screener_for(list_file) if screen_party else None
        )
        outcomes = ", ".join(f"{k}: {v:,}" for k, v in sorted(summary.outcomes.items())) or "none"
        err.print(
            f"{summary.rows:,} rows ({summary.distinct:,} distinct situations) in {summary.seconds:.1f}s; {summary.errors:,} rows with errors; {outcomes}; written to {output}"
        )
        return
    screener = screener_for(list_file) if screen_party else None
    if request is not None:
        raw = load_json_or_yaml(request, "--request")
        batch = raw if isinstance(raw, list) else [raw]
        requests = [parse_request(_screened(r, screener)) for r in batch]
    else:
        if item is None or to is None:
            raise InputError(
                "--item/--to", "give --item and --to, or --request FILE, or --input/--output"
            )
        user = load_json_or_yaml(end_user_json, "--end-user-json") if end_user_json else {}
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
            facts = load_json_or_yaml(facts_json, "--facts-json")
            if not isinstance(facts, dict):
                raise InputError("--facts-json", "expected a JSON object of request fields")
            req |= facts
        requests = [parse_request(_screened(req, screener))]
    decisions = [core.decide(r) for r in requests]
    if licences:
        from computegate.surfaces.cli.licences import open_store

        store = open_store(database_url, core)
        decisions = [
            d.model_copy(update={"findings": [*d.findings, *store.review(r, d)]})
            for r, d in zip(requests, decisions, strict=True)
        ]
    if json_out:
        payload = [d.model_dump(mode="json") for d in decisions]
        print_json(
            payload if len(payload) > 1 or (request and isinstance(raw, list)) else payload[0]
        )
        return
    for d in decisions:
        show_decision(d, explain)


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
    raw = load_json_or_yaml(request, "--request")
    if not isinstance(raw, dict):
        raise InputError("--request", "compare takes one request (a JSON/YAML object)")
    engine = engine_for(catalog)
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
        print_json(
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
    raw = load_json_or_yaml(request, "--request")
    if not isinstance(raw, dict):
        raise InputError("--request", "whatif takes one request (a JSON/YAML object)")
    engine = engine_for(catalog)
    runs = [
        (o, engine.decide({**raw, "overlays": o}))
        for o in overlay_sets(str(raw.get("kind", "")), engine.data)
    ]
    if json_out:
        print_json([{"overlays": o, "decision": d.model_dump(mode="json")} for o, d in runs])
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
