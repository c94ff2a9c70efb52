"""The service's commands: `serve`, `keys create|list|revoke|rotate`, `audit verify|checkpoint|replay|backup|export`."""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.panel import Panel
from rich.table import Table

from computegate.surfaces.cli.common import app, err, out

keys_app = typer.Typer(help="API keys for the HTTP service.", no_args_is_help=True)
audit_app = typer.Typer(
    help="The audit log: a Merkle-tree transparency log with signed checkpoints.",
    no_args_is_help=True,
)
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL (default: $COMPUTEGATE_DATABASE_URL or SQLite in ./var/).",
    ),
]
KeyFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--key",
        help="Ed25519 signing key file, kept outside the database "
        "(default: $COMPUTEGATE_AUDIT_KEY or ./var/audit-signing-key.pem; created if missing).",
    ),
]
FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]


def _engine(url: str | None) -> Any:
    from computegate.store.db import open_database

    return open_database(url)


def redacted(url: str) -> str:
    """A database URL fit for a log line: the password replaced by ***."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# -- keys -----------------------------------------------------------------------------------------
@keys_app.command("create")
def keys_create(
    label: Annotated[str, typer.Argument(help="Who or what the key is for.")],
    scope: Annotated[
        list[str] | None,
        typer.Option(
            "--scope", help="decide, screen, simulate, audit:read (repeatable; default all)."
        ),
    ] = None,
    database_url: DbOpt = None,
) -> None:
    """Create an API key; it is shown once and stored only as a hash."""
    from computegate.store.keys import create_key

    typer.echo(create_key(_engine(database_url), label, scope))


@keys_app.command("list")
def keys_list(database_url: DbOpt = None) -> None:
    """Every key's label, scopes, creation and revocation (never the key itself)."""
    from computegate.store.keys import list_keys

    table = Table("label", "scopes", "created", "revoked")
    for k in list_keys(_engine(database_url)):
        table.add_row(k["label"], k["scopes"], k["created_at"], k["revoked_at"] or "")
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(label: Annotated[str, typer.Argument()], database_url: DbOpt = None) -> None:
    """Revoke a key (running servers stop honouring it within a second)."""
    from computegate.store.keys import revoke_key

    revoke_key(_engine(database_url), label)
    out.print(f"revoked {label!r}")


@keys_app.command("rotate")
def keys_rotate(label: Annotated[str, typer.Argument()], database_url: DbOpt = None) -> None:
    """Replace a key's secret (same label and scopes); the old one stops working."""
    from computegate.store.keys import rotate_key

    typer.echo(rotate_key(_engine(database_url), label))


# -- audit ----------------------------------------------------------------------------------------
@audit_app.command("checkpoint")
def audit_checkpoint(
    output: Annotated[
        Path | None, typer.Option("--out", help="Also write it here (keep it elsewhere).")
    ] = None,
    key: KeyFileOpt = None,
    database_url: DbOpt = None,
) -> None:
    """Sign the log's current size and root; keep the result where the database's admin cannot write."""
    from computegate.store.checkpoint import Checkpoint, key_path, load_or_create_key
    from computegate.store.transparency import verify

    result = verify(_engine(database_url))
    if not result.ok:
        _report_broken(result.problems, result.tree_size)
    cp = Checkpoint.sign(load_or_create_key(key_path(key)), result.tree_size, result.root_hash)
    if output:
        output.write_text(cp.to_json() + "\n")
    typer.echo(cp.to_json())


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option("--checkpoint", help="A checkpoint saved earlier: prove the log extends it."),
    ] = None,
    key: KeyFileOpt = None,
    database_url: DbOpt = None,
) -> None:
    """Recompute every leaf and the Merkle root from one snapshot; with --checkpoint, prove consistency."""
    from computegate.store.checkpoint import Checkpoint, key_path
    from computegate.store.transparency import verify

    cp = Checkpoint.load(checkpoint, key_path(key)) if checkpoint else None
    result = verify(_engine(database_url), cp)
    if not result.ok:
        _report_broken(result.problems, result.tree_size)
    extends = (
        f"; an append-only extension of the checkpoint of {cp.timestamp} ({cp.tree_size:,} entries)"
        if cp
        else ""
    )
    out.print(
        f"audit log intact: {result.tree_size:,} entries verified, root {result.root_hash}{extends}",
        soft_wrap=True,
    )


def _report_broken(problems: list[str], size: int) -> None:
    err.print(f"[red]audit log BROKEN[/red] ({size:,} entries read):", soft_wrap=True)
    for p in problems[:20]:
        err.print(f"  • {p}", soft_wrap=True, highlight=False)
    sys.exit(1)


@audit_app.command("replay")
def audit_replay(
    audit_id: Annotated[int, typer.Argument(metavar="ID")], database_url: DbOpt = None
) -> None:
    """Re-run a stored request with today's code and data and show what differs."""
    from computegate.surfaces.service import Service

    _, _, diffs = Service(database_url).replay(audit_id)
    if not diffs:
        out.print(f"row {audit_id}: replay matches the stored answer")
        return
    out.print(
        f"row {audit_id}: {len(diffs)} difference(s) between the stored answer and a replay today:"
    )
    for line in diffs:
        out.print(f"  • {line}")


@audit_app.command("backup")
def audit_backup(
    destination: Annotated[Path, typer.Argument(help="New SQLite file to write.")],
    database_url: DbOpt = None,
) -> None:
    """A consistent copy of a live SQLite database (SQLite's online backup, WAL included)."""
    import sqlite3

    from computegate.io.errors import InputError
    from computegate.store.db import database_url as resolve

    url = resolve(database_url)
    if not url.startswith("sqlite:///"):
        raise InputError(
            "--database-url", "backup copies SQLite; for PostgreSQL use pg_dump (see README)"
        )
    if destination.exists():
        raise InputError("destination", f"{destination} exists; choose a new file")
    _engine(url)  # migrated, so the copy is current
    source = sqlite3.connect(url.removeprefix("sqlite:///"))
    target = sqlite3.connect(destination)
    with target:
        source.backup(target)
    rows = target.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    source.close()
    target.close()
    out.print(f"backed up {rows:,} audit entries to {destination}")


@audit_app.command("export")
def audit_export(
    output: Annotated[Path, typer.Option("--out", help="JSON Lines file to write.")],
    since: Annotated[
        dt.datetime | None,
        typer.Option("--since", formats=FORMATS, help="From (inclusive); UTC unless zoned."),
    ] = None,
    until: Annotated[
        dt.datetime | None,
        typer.Option("--until", formats=FORMATS, help="To (exclusive); UTC unless zoned."),
    ] = None,
    database_url: DbOpt = None,
) -> None:
    """Every entry in a date range, with its leaf hash, as JSON Lines (15 CFR 762: keep five years)."""
    import orjson

    from computegate.store.audit import AuditLog

    count = 0
    with output.open("wb") as f:
        for row in AuditLog(_engine(database_url)).export(since, until):
            f.write(orjson.dumps(row) + b"\n")
            count += 1
    out.print(f"exported {count:,} audit entries to {output}")


# -- serve ----------------------------------------------------------------------------------------
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Server processes.")] = 1,
    no_auth: Annotated[
        bool, typer.Option("--no-auth", help="No API keys (local use only).")
    ] = False,
    new_key: Annotated[
        bool, typer.Option("--new-key", help="Create and print an API key before starting.")
    ] = False,
    database_url: DbOpt = None,
    list_file: Annotated[
        Path | None,
        typer.Option("--list", help="Consolidated Screening List file; default: bundled sample."),
    ] = None,
) -> None:
    """Run the HTTP API and web page."""
    import uvicorn

    from computegate.io.errors import InputError
    from computegate.store.db import database_url as resolve_url

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: TIME_WAIT is fine
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError(
                "--port", f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port"
            ) from None
    url = resolve_url(database_url)
    engine = _engine(url)  # migrate once, before any worker starts
    os.environ["COMPUTEGATE_DATABASE_URL"] = url
    os.environ["COMPUTEGATE_NO_AUTH"] = "1" if no_auth else "0"
    if list_file:
        os.environ["COMPUTEGATE_LIST_FILE"] = str(list_file.resolve())
    out.print(
        f"computegate serving on http://{host}:{port}/ with {workers} worker(s) "
        f"(database {redacted(url)}; API docs at /docs)",
        soft_wrap=True,
        highlight=False,
    )
    if no_auth:
        err.print(
            "[yellow]warning: --no-auth: anyone who can reach this port can use the API[/yellow]"
        )
    elif new_key:
        from computegate.store.keys import create_key

        label = f"local-{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S')}"
        token = create_key(engine, label)
        out.print(
            Panel(
                f"[bold]{token}[/bold]\n\nPaste it into the page's API key field, or send it as "
                f"the X-API-Key header. Shown once (label {label}).",
                title="API key",
                expand=False,
            )
        )
    engine.dispose()
    uvicorn.run(
        "computegate.surfaces.api.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.command()(serve)
