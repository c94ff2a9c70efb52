"""Restricted-party screening: `screen` (a name or a file) and `lists update`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from computegate.io.errors import InputError
from computegate.surfaces.cli.cluster import EngineOpt, SchedulerOpt, dask_batch
from computegate.surfaces.cli.common import (
    JsonOpt,
    ListOpt,
    app,
    err,
    out,
    print_json,
    progress,
    screener_for,
)


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
    if dask_batch(
        engine, scheduler, input_, output, "screen", list_file=list_file, threshold=threshold
    ):
        return
    screener = screener_for(list_file, threshold)
    if input_ is not None or output is not None:
        if input_ is None or output is None:
            raise InputError("--input/--output", "batch mode needs both --input and --output")
        from computegate.surfaces.batch import read_table, screen_frame, write_table

        frame, hits = screen_frame(read_table(input_), screener, progress)
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
        print_json(
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
