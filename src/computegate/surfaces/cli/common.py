"""The root command, its settings, and what every command group shares (consoles, options, helpers)."""

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

from computegate.engine import REGIME_DIR_ENV, Engine
from computegate.io.dates import parse_date
from computegate.io.errors import ComputegateError, InputError
from computegate.regime import Regime

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

KIND_LABELS = {
    "legal_ambiguity": "Legal ambiguity",
    "legal_status_unknown": "Legal status unknown past the knowledge horizon",
}

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


def engine_for(
    catalog_files: Sequence[Path] | None = None, list_file: Path | None = None
) -> Engine:
    """This command's Engine: the bundled data or --regime-dir, plus the user's catalog files."""
    return Engine.load(catalog_files=catalog_files or (), list_path=list_file)


def regime_on(engine: Engine, date: str | None, overlays: Sequence[str] | None) -> Regime:
    return engine.regime(parse_date(date, "--date") if date else dt.date.today(), overlays or ())


def print_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))


def fmt(x: float | None, digits: int = 0) -> str:
    return "?" if x is None else f"{x:,.{digits}f}"


def yes_no(x: bool | None) -> str:
    return "?" if x is None else "yes" if x else "no"


def load_json_or_yaml(value: str, field: str) -> Any:
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


def progress(rows: Any, total: int) -> Any:
    from rich.progress import track

    return track(rows, total=total, description="deciding", console=err, transient=False)


def screener_for(list_file: Path | None, threshold: float | None = None) -> Any:
    from computegate.screening import DEFAULT_THRESHOLD, Screener, load_list

    return Screener(load_list(list_file), threshold if threshold is not None else DEFAULT_THRESHOLD)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and exit code 2, never a traceback."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="computegate")
    except ComputegateError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
