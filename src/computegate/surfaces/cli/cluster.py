"""`--engine dask`: the batch commands' switch to a Dask cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from computegate.io.errors import InputError
from computegate.surfaces.cli.common import err, progress

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


def dask_batch(
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
    from computegate.surfaces import distributed

    spec = distributed.make_job(command, **job)
    distributed.check_paths(str(input_), str(output))
    with distributed.connect(scheduler) as client:
        s = distributed.run(command, str(input_), str(output), client, spec, progress=progress)
    found = ", ".join(f"{k}: {v:,}" for k, v in sorted(s.outcomes.items())) or f"{s.hits:,} hits"
    err.print(
        f"{s.rows:,} rows in {s.parts} parts on dask in {s.seconds:.1f}s; {s.errors:,} rows with errors; {found}; written to {output}/"
    )
    return True
