"""Batch decisions, screening and simulation sweeps on a Dask cluster: the local code, run per task.

The client cuts the input into partitions (CSV byte ranges ending on line ends, runs of Parquet row
groups) and submits one task per partition. A task reads its partition with polars exactly as the
local engine reads a whole file, runs the same `decide_frame` / `screen_frame`, and writes one
Parquet part. Each worker process builds its catalog and screener once per job (keyed by the data
files' sha256) and keeps its memos between partitions: the rules' decision memo and the answers by
situation, so a situation seen in an earlier partition costs a lookup. Parts are written to a
temporary name and renamed, so a task re-run after its worker died leaves exactly one copy.

A simulation sweep ships each chunk of its design (quantiles per run) as one task; each worker
builds its simulation Context once and keeps the law's answers between chunks.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import logging
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Literal

import fsspec
import polars as pl
import pyarrow.parquet as pq
from distributed import Client, LocalCluster, as_completed
from fsspec.utils import read_block

from computegate.engine import REGIME_DIR_ENV, Engine
from computegate.io.errors import ComputegateError, InputError
from computegate.regime import load_regime_data
from computegate.screening import DEFAULT_THRESHOLD, Screener, load_list
from computegate.simulation import Context
from computegate.simulation.sensitivity import Chunk, ChunkRunner, ModelRuns, Outputs
from computegate.surfaces.batch import (
    RowMemo,
    check_decide_columns,
    check_screen_columns,
    decide_frame,
    screen_frame,
)

Command = Literal["decide", "screen"]
Progress = Callable[[Iterable[Any], int], Iterable[Any]]

BLOCKSIZE = 64 * 2**20  # at most this many bytes of CSV (or uncompressed Parquet) per partition
MIN_BLOCKSIZE = 2**20
PARTS_PER_WORKER = 4
LOCAL_WORKERS = 2
RETRIES = 2  # a task that raises is retried; one whose worker dies is rescheduled by the scheduler
MANIFEST = "_computegate.json"
PART_PREFIX = "part."


# what polars, pyarrow (ArrowInvalid is a ValueError, ArrowIOError an OSError) and fsspec raise
# for a file that is not what its name says
UNREADABLE = (OSError, ValueError, pl.exceptions.PolarsError)


class ClusterError(ComputegateError):
    """A problem found on a worker, as one picklable message (InputError's two arguments are not)."""


@dataclass(frozen=True)
class DataFile:
    path: str
    sha256: str


@dataclass(frozen=True)
class Job:
    """What every worker needs to rebuild the client's state; hashable, so it keys a per-process cache."""

    command: Command
    # computegate version, regime digest and knowledge horizon: each worker checks its own
    versions: tuple[tuple[str, str], ...]
    catalog_files: tuple[DataFile, ...] = ()
    list_file: DataFile | None = None  # None: the bundled sample list
    screen: bool = False  # decide: screen the end user too; always true for the screen command
    threshold: float = DEFAULT_THRESHOLD
    full: bool = False


@dataclass(frozen=True)
class Part:
    """One partition: a CSV byte range (cut on line ends) or a run of Parquet row groups."""

    index: int
    url: str
    format: Literal["csv", "parquet"]
    offset: int = 0
    length: int = 0
    header: bytes = b""
    row_groups: tuple[int, ...] = ()


@dataclass
class ClusterSummary:
    rows: int = 0
    errors: int = 0
    hits: int = 0
    parts: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    versions: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


# -- versions -------------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def regime_dir() -> Path | None:
    """The regime directory the job decides on ($COMPUTEGATE_REGIME_DIR, set by --regime-dir)."""
    return Path(os.environ[REGIME_DIR_ENV]) if os.environ.get(REGIME_DIR_ENV) else None


def regime_digest() -> str:
    """sha256 over the regime files in use (relative path and bytes, in path order)."""
    root = regime_dir() or Path(str(resources.files("computegate.regime") / "data"))
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def software_versions() -> tuple[tuple[str, str], ...]:
    return (
        ("computegate", metadata.version("computegate")),
        ("regime_sha256", regime_digest()),
        (
            "regime_knowledge_horizon",
            load_regime_data(regime_dir()).meta.knowledge_horizon.isoformat(),
        ),
    )


def make_job(
    command: Command,
    catalog_files: Sequence[Path] = (),
    list_file: Path | None = None,
    screen: bool = False,
    threshold: float | None = None,
    full: bool = False,
) -> Job:
    """Hash the data files on the client; each worker checks that it reads the same bytes."""

    def data_file(path: Path, option: str) -> DataFile:
        try:
            return DataFile(str(path.resolve()), _sha256(path.read_bytes()))
        except OSError as exc:
            raise InputError(option, f"cannot read {path}: {exc.strerror}") from None

    return Job(
        command=command,
        versions=software_versions(),
        catalog_files=tuple(data_file(p, "--catalog") for p in catalog_files),
        list_file=data_file(list_file, "--list") if list_file else None,
        screen=screen or command == "screen",
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        full=full,
    )


# -- worker side ----------------------------------------------------------------------------------


@functools.cache
def worker_state(job: Job) -> tuple[Engine, Screener | None, dict[str, Any], RowMemo]:
    """Built once per worker process and job, with the memo of answers kept across partitions."""
    here = socket.gethostname()
    _same_software(job.versions)  # a worker that joined after the client's check
    for f in job.catalog_files:
        _check_same(f, here, "--catalog")
    engine = Engine.load(catalog_files=[Path(f.path) for f in job.catalog_files])
    screener = None
    used: dict[str, Any] = {
        **dict(job.versions),
        "catalog_files": [{"path": f.path, "sha256": f.sha256} for f in job.catalog_files],
    }
    if job.screen:
        if job.list_file:
            _check_same(job.list_file, here, "--list")
        screening_list = load_list(Path(job.list_file.path) if job.list_file else None)
        screener = Screener(screening_list, job.threshold)
        ident = screening_list.identity
        used["list"] = {"source": ident.source, "sha256": ident.sha256, "entries": ident.entries}
        used["threshold"] = job.threshold
    return engine, screener, used, {}


def _check_same(f: DataFile, host: str, option: str) -> None:
    try:
        sha = _sha256(Path(f.path).read_bytes())
    except OSError as exc:
        raise ClusterError(
            f"{option}: worker on {host} cannot read {f.path}: {exc.strerror}"
        ) from None
    if sha != f.sha256:
        raise ClusterError(f"{option}: {f.path} on worker {host} differs from the client's copy")


def read_part(part: Part) -> pl.DataFrame:
    """The partition as the local engine would read it: every column as text."""
    with fsspec.open(part.url, "rb") as fh:
        if part.format == "csv":
            block = read_block(fh, part.offset, part.length, delimiter=b"\n")
            data = block if part.offset == 0 else part.header + block
            return pl.read_csv(io.BytesIO(data), infer_schema=False)
        table = pq.ParquetFile(fh).read_row_groups(list(part.row_groups))
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame.with_columns(pl.all().cast(pl.Utf8))


def run_part(job: Job, part: Part, output: str) -> dict[str, Any]:
    """One task: read, decide or screen, write `part.NNNNN.parquet`; return counts and versions."""
    try:
        engine, screener, used, known = worker_state(job)
        try:
            frame = read_part(part)
        except UNREADABLE as exc:
            raise InputError("--input", f"cannot read: {exc}") from None
        stats: dict[str, Any]
        if job.command == "decide":
            result, summary = decide_frame(frame, engine, job.full, None, screener, known)
            stats = {"rows": summary.rows, "errors": summary.errors, "outcomes": summary.outcomes}
        else:
            assert screener is not None
            result, hits = screen_frame(frame, screener)
            errors = result.filter(pl.col("error").is_not_null()).height
            stats = {"rows": result.height, "errors": errors, "hits": hits}
    except ComputegateError as exc:
        raise ClusterError(f"{part.url} (partition {part.index}): {exc}") from None
    _write_part(result, output, part.index, used)
    return {**stats, "versions": used}


def _write_part(frame: pl.DataFrame, output: str, index: int, used: dict[str, Any]) -> None:
    fs, root = fsspec.core.url_to_fs(output)
    final = f"{root}/{PART_PREFIX}{index:05d}.parquet"
    temporary = f"{final}.{uuid.uuid4().hex}.tmp"
    table = frame.to_arrow()
    meta = {**(table.schema.metadata or {}), b"computegate": json.dumps(used).encode()}
    with fs.open(temporary, "wb") as fh:
        pq.write_table(table.replace_schema_metadata(meta), fh)
    fs.mv(temporary, final)


# -- client side ----------------------------------------------------------------------------------


def input_files(source: str) -> tuple[str, list[str]]:
    """A file, a directory of parts, or a glob; one format. Returns the format and the file URLs."""
    fs, root = fsspec.core.url_to_fs(source)
    if fs.isdir(root):
        paths = [
            p for p in fs.ls(root, detail=False) if Path(p).suffix.lower() in (".csv", ".parquet")
        ]
    elif any(ch in root for ch in "*?["):
        paths = fs.glob(root)
    elif fs.exists(root):
        paths = [root]
    else:
        raise InputError("--input", f"no such file or directory: {source}")
    if not paths:
        raise InputError("--input", f"no .csv or .parquet files in {source}")
    formats = {Path(p).suffix.lower() for p in paths}
    if len(formats) > 1 or not formats <= {".csv", ".parquet"}:
        raise InputError(
            "--input", f"parts must all be .csv or all .parquet, found {sorted(formats)}"
        )
    return formats.pop().lstrip("."), [fs.unstrip_protocol(p) for p in sorted(paths)]


def partitions(
    source: str, command: Command, blocksize: int | None = None, workers: int = LOCAL_WORKERS
) -> list[Part]:
    """Cut the input into partitions; check the columns before any task runs.

    Without a `blocksize`, partitions are sized for about PARTS_PER_WORKER per worker (between
    MIN_BLOCKSIZE and BLOCKSIZE), so small files still spread and a lost worker costs little.
    A Parquet row group is never split.
    """
    fmt, urls = input_files(source)
    check = check_decide_columns if command == "decide" else check_screen_columns
    files: list[tuple[str, bytes, int, Any]] = []  # url, CSV header, CSV size, Parquet metadata
    for url in urls:
        fs, path = fsspec.core.url_to_fs(url)
        try:
            with fs.open(path, "rb") as fh:
                if fmt == "csv":
                    header = read_block(fh, 0, 1, delimiter=b"\n")
                    names = pl.read_csv(io.BytesIO(header), infer_schema=False, n_rows=0).columns
                    files.append((url, header, fs.size(path), None))
                else:
                    meta = pq.ParquetFile(fh).metadata
                    names = meta.schema.names
                    files.append((url, b"", 0, meta))
        except UNREADABLE as exc:
            raise InputError("--input", f"cannot read {url}: {exc}") from None
        if url == urls[0]:
            check(names)
            columns = names
        elif names != columns:
            raise InputError("--input", f"{url} has other columns than {urls[0]}")
    if blocksize is None:
        total = sum(
            size
            if meta is None
            else sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
            for _, _, size, meta in files
        )
        blocksize = min(BLOCKSIZE, max(MIN_BLOCKSIZE, total // (PARTS_PER_WORKER * workers)))
    parts: list[Part] = []
    for url, header, size, meta in files:
        if meta is None:
            for off in range(0, size, blocksize):
                parts.append(Part(len(parts), url, "csv", off, min(blocksize, size - off), header))
        else:
            for group in _groups(meta, blocksize):
                parts.append(Part(len(parts), url, "parquet", row_groups=group))
    return parts


def _groups(meta: pq.FileMetaData, blocksize: int) -> list[tuple[int, ...]]:
    groups: list[tuple[int, ...]] = []
    current: list[int] = []
    size = 0
    for i in range(meta.num_row_groups):
        current.append(i)
        size += meta.row_group(i).total_byte_size
        if size >= blocksize:
            groups.append(tuple(current))
            current, size = [], 0
    if current or not groups:
        groups.append(tuple(current))  # an empty file still yields its (empty) part
    return groups


def _prepare_output(output: str) -> None:
    """A new or empty directory, or one holding only an earlier run's parts (which are replaced)."""
    fs, root = check_paths(source=None, output=output)
    if fs.exists(root):
        for path in fs.ls(root, detail=False):
            fs.rm(path)
    fs.makedirs(root, exist_ok=True)


def check_paths(source: str | None, output: str) -> tuple[Any, str]:
    """Input files present; output a new directory or an earlier run's (checked before connecting)."""
    fs, root = fsspec.core.url_to_fs(output)
    if Path(root).suffix.lower() == ".csv":
        raise InputError("--output", "the dask engine writes Parquet parts: give a directory")
    if fs.exists(root):
        if not fs.isdir(root):
            raise InputError(
                "--output", f"{output} is a file; the dask engine writes a directory of parts"
            )
        for path in fs.ls(root, detail=False):
            name = Path(path).name
            if not (name.startswith(PART_PREFIX) or name == MANIFEST):
                raise InputError(
                    "--output", f"{output} holds other files ({name}); use a new directory"
                )
    if source is not None:
        input_files(source)
    return fs, root


def run(
    command: Command,
    source: str,
    output: str,
    client: Client,
    job: Job,
    blocksize: int | None = None,
    progress: Progress | None = None,
) -> ClusterSummary:
    """Decide or screen every row of `source` on the cluster; write parts and a manifest to `output`."""
    start = time.perf_counter()
    _check_workers(client, job.versions)
    workers = max(1, sum(client.nthreads().values()))  # task slots across the cluster
    parts = partitions(source, command, blocksize, workers)
    _prepare_output(output)
    summary = ClusterSummary(parts=len(parts))
    tasks = [(part.index, (job, part, output)) for part in parts]
    for stats in _as_finished(client, run_part, command, tasks, progress):
        summary.rows += stats["rows"]
        summary.errors += stats["errors"]
        summary.hits += stats.get("hits", 0)
        summary.outcomes.update(stats.get("outcomes", {}))
        summary.versions = stats["versions"]
    summary.seconds = time.perf_counter() - start
    _write_manifest(command, source, output, summary)
    return summary


def _as_finished(
    client: Client,
    task: Callable[..., Any],
    name: str,
    calls: Sequence[tuple[int, tuple[Any, ...]]],
    progress: Progress | None,
) -> Iterator[Any]:
    """Each call as a retried task (impure: it writes or draws); results as they finish. Tasks left
    when the caller stops (an error, Ctrl-C) are cancelled, so a cluster never runs orphans."""
    run_id = uuid.uuid4().hex[:8]
    futures = [
        client.submit(
            task, *args, key=f"computegate-{name}-{run_id}-{n}", retries=RETRIES, pure=False
        )
        for n, args in calls
    ]
    done = as_completed(futures)
    try:
        for future in progress(done, len(futures)) if progress else done:
            yield future.result()
    finally:
        client.cancel(futures)


def _same_software(versions: tuple[tuple[str, str], ...]) -> None:
    if software_versions() != versions:
        raise ClusterError(
            f"worker on {socket.gethostname()} has {dict(software_versions())}, the client "
            f"{dict(versions)}: every worker needs the same computegate version and data files"
        )


def _check_workers(client: Client, versions: tuple[tuple[str, str], ...]) -> None:
    """Fail before any work when a connected worker runs other code or regime data."""
    try:
        found = client.run(software_versions)
    except Exception as exc:  # a worker without computegate cannot even unpickle the call
        raise ClusterError(
            f"the workers cannot run computegate: {type(exc).__name__}: {exc}"
        ) from None
    odd = sorted(w for w, v in found.items() if tuple(map(tuple, v)) != versions)
    if odd:
        raise ClusterError(
            f"worker(s) {', '.join(odd)} run {dict(found[odd[0]])}, the client {dict(versions)}: "
            "every worker needs the same computegate version and data files"
        )


def _write_manifest(command: Command, source: str, output: str, summary: ClusterSummary) -> None:
    fs, root = fsspec.core.url_to_fs(output)
    manifest = {
        "command": command,
        "engine": "dask",
        "input": source,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "parts": summary.parts,
        "rows": summary.rows,
        "errors": summary.errors,
        **({"outcomes": dict(summary.outcomes)} if command == "decide" else {"hits": summary.hits}),
        "versions": summary.versions,
    }
    with fs.open(f"{root}/{MANIFEST}", "w") as fh:
        json.dump(manifest, fh, indent=2, sort_keys=True)


# -- simulation sweeps ----------------------------------------------------------------------------


@functools.cache
def sweep_context(versions: tuple[tuple[str, str], ...], on: dt.date) -> Context:
    """The worker's simulation Context, built once per process; it keeps the law's answers."""
    _same_software(versions)
    return Context(Engine.load(), on)


def sweep_chunk(
    model: ModelRuns, versions: tuple[tuple[str, str], ...], start: int, quantiles: Any
) -> tuple[int, Outputs]:
    """One task: the model's outputs for a chunk of the design (runs from `start`)."""
    try:
        return start, model(quantiles, sweep_context(versions, model.on))
    except (ComputegateError, ValueError) as exc:
        raise ClusterError(f"sweep chunk at run {start}: {exc}") from None


def sweep_runner(client: Client, model: ModelRuns, progress: Progress | None = None) -> ChunkRunner:
    """Chunks of a design as tasks on the cluster, results yielded as they finish."""
    versions = software_versions()

    def run_chunks(chunks: list[Chunk]) -> Iterator[tuple[int, Outputs]]:
        _check_workers(client, versions)
        tasks = [(start, (model, versions, start, q)) for start, q in chunks]
        yield from _as_finished(client, sweep_chunk, "sweep", tasks, progress)

    return run_chunks


@contextmanager
def connect(scheduler: str | None, workers: int = LOCAL_WORKERS) -> Iterator[Client]:
    """A client of the scheduler at `scheduler`, or of a LocalCluster on this machine."""
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise InputError("--scheduler", f"cannot connect to {scheduler}: {exc}") from None
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,  # one decision loop per process; the memo is per process
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
