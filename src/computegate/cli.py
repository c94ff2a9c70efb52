"""Command line: `computegate catalog | classify | timeline | demo`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from computegate.catalog import Accelerator, Catalog, load_catalog_file
from computegate.dates import parse_date
from computegate.errors import ComputegateError, InputError
from computegate.regime import Regime, default_regime_data
from computegate.rules import Classification, Decision, classify, decide, overlay_sets

app = typer.Typer(
    help="US export controls on AI compute: catalog, classification, license decisions, rule timeline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Piped output gets a wide console so tables stay readable in files and CI logs.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

DEMO_CHIPS = ("H20", "H200", "MI325X", "B200", "B30A")
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
        "--list", help="Consolidated Screening List file (.json or .csv); default: bundled sample."
    ),
]
CatalogOpt = Annotated[
    list[Path] | None,
    typer.Option("--catalog", help="Extra catalog file (YAML/JSON) of your own chips."),
]


def _regime(date: str | None, overlays: Sequence[str] | None) -> Regime:
    return Regime.at(parse_date(date, "--date") if date else dt.date.today(), overlays or ())


def _catalog(files: Sequence[Path] | None) -> Catalog:
    return Catalog.bundled().with_files(files or ())


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
    head.add_row("ECCN", f"[bold]{c.eccn_paragraph or c.eccn}[/bold]")
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
        label = "Legal ambiguity" if m.kind == "legal_ambiguity" else "Missing fact"
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
    regime = _regime(date, overlay)
    cat = _catalog(catalog)
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
    regime = _regime(date, overlay)
    cat = _catalog(catalog)
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
            c.eccn_paragraph or c.eccn,
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
    data = default_regime_data()
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
        table.add_row(i.effective.isoformat(), i.title, i.status, i.changes, cite)
    out.print(table)
    out.print(f"[dim]{data.meta.knowledge_note}[/dim]")


@app.command()
def demo(date: Annotated[str, typer.Option("--date", help="Regime date.")] = DEMO_DATE) -> None:
    """Classify the headline chips of the Jan-2026 rule, then decide two requests users ask about."""
    regime = _regime(date, ())
    cat = Catalog.bundled()
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
    _show_decision(decide(shanghai, catalog=cat), explain=True)
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
        _show_decision(decide({**rental, "overlays": overlays}, catalog=cat), explain=True)
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
    from computegate.regime.loader import read_yaml

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
    head.add_row("Item", f"{d.item.name} — {d.item.eccn_paragraph or d.item.eccn}")
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
        label = "Legal ambiguity" if m.kind == "legal_ambiguity" else "Missing fact"
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
) -> None:
    """Is a license required for this export, reexport, transfer or remote access — and why?"""
    cat = _catalog(catalog)
    if input_ is not None or output is not None:
        if input_ is None or output is None:
            raise InputError("--input/--output", "batch mode needs both --input and --output")
        from computegate.batch import decide_file

        summary = decide_file(
            input_, output, cat, full, _progress, _screener(list_file) if screen_party else None
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
        decisions = [decide(_screened(r, screener), catalog=cat) for r in batch]
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
        decisions = [decide(_screened(req, screener), catalog=cat)]
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
    cat = _catalog(catalog)
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
    runs = [
        (d, o, decide({**raw, "date": d, "overlays": o}, catalog=cat)) for d in when for o in sets
    ]
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


WHY_ORDER = (
    "744.11",
    "744.21",
    "744.23",
    "744.2-744.4",
    "hq-rule",
    "742.6(a)(6)(iii)",
    "742.6(a)(6)",
    "jan2026.case_by_case",
    "744.23(d)(3)",
    "742.6(b)(10)(ii)",
)


def _driver(d: Decision, overlays: list[str]) -> str:
    """The finding that decides this row: the overlay's last own finding, or enacted law's."""
    if len(overlays) == 1:
        name = overlays[0]
        own = [
            f for f in d.findings if f.rule.startswith(f"{name}.") and ".as_export." not in f.rule
        ]
        if not own:
            return "no effect on this request"
        persons = [f.text for f in own if f.rule == f"{name}.persons"]
        if own[-1].rule != f"{name}.licence":
            return "; ".join(dict.fromkeys([*persons, own[-1].text]))
        why = {
            f.rule.removeprefix(f"{name}.as_export."): f.text
            for f in d.findings
            if f.rule.startswith(f"{name}.as_export.")
        }
        first = next((why[r] for r in WHY_ORDER if r in why), None)
        return "; ".join(
            [*persons, f"as an export: {d.outcome.replace('_', ' ')}", *([first] if first else [])]
        )
    if overlays:
        return f"strictest of {len(overlays)} overlays"
    decisive = [
        f
        for f in d.findings
        if f.rule
        in ("744.6", "remote.not_export", "jan2026.case_by_case", "hq-rule", "742.6(b)(10)(ii)")
    ]
    return decisive[-1].text if decisive else d.findings[-1].text


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
    cat = _catalog(catalog)
    runs = [
        (o, decide({**raw, "overlays": o}, catalog=cat))
        for o in overlay_sets(str(raw.get("kind", "")))
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
            _driver(d, o),
        )
    out.print(table)


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
) -> None:
    """Screen a name (or a file of names) against restricted-party lists, with explained scores."""
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
    result = screener.screen(name, country)
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
        list[str], typer.Argument(help="Shipped scenario names or your own scenario YAML files.")
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
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write results.csv and charts (PNG and SVG) here.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """US vs China AI compute under policy scenarios, with uncertainty bands."""
    from computegate.simulation import resolve_scenario
    from computegate.simulation import simulate as run

    chosen = [resolve_scenario(s) for s in scenarios]
    span = _years(years)
    try:
        results = run(chosen, span, draws, seed)
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
            *channels_chart(results, out_dir),
        ]
        written += tornado_chart(tornado(chosen[0], year), chosen[0].name, year, out_dir)
        err.print(f"wrote {', '.join(p.name for p in written)} to {out_dir}")
    if json_out:
        _print_json(results.as_json())
        return
    frame = results.frame
    table = Table(
        "scenario",
        *[str(y) for y in span],
        title=f"US:China compute gained per year (flow ratio, {results.basis}): median [5%-95%]",
    )
    stocks = Table(
        "scenario",
        *[str(y) for y in span],
        title="US:China effective compute stock ratio: median [5%-95%]",
    )
    for scenario in chosen:
        for metric, target in (("flow_ratio", table), ("stock_ratio", stocks)):
            rows = {
                r["year"]: r
                for r in frame.filter(
                    (pl_col("scenario") == scenario.name) & (pl_col("metric") == metric)
                ).to_dicts()
            }
            target.add_row(
                scenario.name,
                *[
                    f"{rows[y]['median']:.1f} [{rows[y]['p5']:.1f}-{rows[y]['p95']:.1f}]"
                    for y in span
                ],
            )
    out.print(table)
    out.print(stocks)
    out.print(
        f"[dim]{draws:,} draws, seed {seed}. Full series: --out DIR (results.csv) or --json.[/dim]"
    )


def pl_col(name: str) -> Any:
    import polars as pl

    return pl.col(name)


from computegate.api.commands import register  # noqa: E402  (serve, keys, audit)

register(app)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and exit code 2, never a traceback."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="computegate")
    except ComputegateError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
