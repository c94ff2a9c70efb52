"""The Dask engine on a LocalCluster of 2 workers gives the local engine's rows and answers.

One cluster and one 200,000-row order file (tiled from a few hundred distinct rows, bad ones
included) serve the whole module, so the suite pays for the cluster's start once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest
from distributed import Client
from distributed.diagnostics.plugin import WorkerPlugin
from hypothesis import given, settings
from hypothesis import strategies as st

from computegate.engine import Engine
from computegate.io.errors import ComputegateError
from computegate.screening import Screener, load_list
from computegate.simulation import Context, resolve_scenario
from computegate.simulation import sensitivity as sa
from computegate.surfaces import distributed as cd
from computegate.surfaces.batch import decide_frame, read_table, screen_frame
from tests.test_cli import run

ROWS = 200_000
BLOCK = 1_000_000  # bytes: about a dozen CSV partitions for 200k rows
CHIPS = ["H200", "H20", "B200", "MI325X", "L40", "A100", "B30A"]
COUNTRIES = ["CN", "HK", "SG", "MY", "DE", "VN", "AE", "RU", "GB"]
DATES = ["2024-06-01", "2025-01-20", "2025-05-15", "2026-01-16", "2026-03-01"]
BAD = {"item": "H2000", "to_country": "ZZ", "date": "", "quantity": "-3", "kind": "reexport"}


def _distinct_rows(n: int, names: list[str]) -> pl.DataFrame:
    """`n` orders; about one in six has a bad value the batch must report and go past."""
    rng = random.Random(16)
    good = {
        "kind": ["export", "export", "transfer"],
        "date": DATES,
        "item": CHIPS,
        "quantity": ["1", "8", "500"],
        "to_country": COUNTRIES,
        "end_user_name": names,
        "end_user_headquarters": ["", "CN", "US", "SG"],
    }

    def pick(col: str) -> str:
        return BAD[col] if col in BAD and rng.random() < 0.04 else rng.choice(good[col])

    return pl.DataFrame([{col: pick(col) for col in good} for _ in range(n)])


@pytest.fixture(scope="module")
def orders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """200k orders as CSV and as Parquet (many row groups), and 200k names to screen."""
    listed = [e.name for e in load_list().entries[:12]]
    names = [*listed, *(f"Customer {i} Trading Ltd" for i in range(60)), "Huawei Tech", "  "]
    base = _distinct_rows(400, names)
    frame = base.sample(ROWS, with_replacement=True, seed=1).with_columns(
        pl.Series("id", [str(i) for i in range(ROWS)])
    )
    root = tmp_path_factory.mktemp("orders")
    paths = {"csv": root / "orders.csv", "parquet": root / "orders.parquet"}
    frame.write_csv(paths["csv"])
    frame.write_parquet(paths["parquet"], row_group_size=10_000)
    people = frame.select(
        "id", pl.col("end_user_name").alias("name"), pl.col("to_country").alias("country")
    )
    paths["names"] = root / "names.csv"
    people.write_csv(paths["names"])
    return paths


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with cd.connect(None, workers=2) as c:
        yield c


@pytest.fixture(scope="module")
def local_decisions(orders: dict[str, Path]) -> pl.DataFrame:
    screener = Screener(load_list())
    frame, _ = decide_frame(read_table(orders["csv"]), Engine.load(), screener=screener)
    return frame


def _parts(out: Path) -> pl.DataFrame:
    return pl.read_parquet(sorted(out.glob("part.*.parquet")))


def _decide_job() -> cd.Job:
    return cd.make_job("decide", screen=True)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_decide_200k_rows_identical_to_local(
    client: Client,
    orders: dict[str, Path],
    local_decisions: pl.DataFrame,
    tmp_path: Path,
    fmt: str,
) -> None:
    out = tmp_path / "out"
    summary = cd.run("decide", str(orders[fmt]), str(out), client, _decide_job(), BLOCK)
    got = _parts(out)
    assert summary.parts > 2 and summary.rows == ROWS
    assert got.height == ROWS and got.equals(local_decisions)
    assert summary.errors == local_decisions.filter(pl.col("error").is_not_null()).height > 0
    assert sum(summary.outcomes.values()) + summary.errors == ROWS


def test_each_worker_builds_its_state_once(
    client: Client, orders: dict[str, Path], tmp_path: Path
) -> None:
    def builds() -> dict[str, tuple[int, int]]:
        info = client.run(cd.worker_state.cache_info)
        return {w: (i.misses, i.hits) for w, i in info.items()}

    before = builds()
    job = cd.make_job("decide", screen=True, full=True)  # a job no other test runs
    summary = cd.run("decide", str(orders["csv"]), str(tmp_path / "o"), client, job, BLOCK)
    after = builds()
    built = {w: after[w][0] - before.get(w, (0, 0))[0] for w in after}
    reused = sum(after[w][1] - before.get(w, (0, 0))[1] for w in after)
    assert set(built.values()) <= {0, 1} and sum(built.values()) >= 1
    assert sum(built.values()) + reused == summary.parts  # every other partition reused it


def test_screen_200k_names_identical_to_local(
    client: Client, orders: dict[str, Path], tmp_path: Path
) -> None:
    local, hits = screen_frame(read_table(orders["names"]), Screener(load_list()))
    out = tmp_path / "screened"
    summary = cd.run("screen", str(orders["names"]), str(out), client, cd.make_job("screen"), BLOCK)
    got = _parts(out)
    assert got.height == ROWS and got.equals(local)
    assert summary.hits == hits > 0 and summary.errors > 0  # listed names hit; blank names error


def test_versions_recorded_in_manifest_and_every_part(
    client: Client, orders: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    cd.run("decide", str(orders["parquet"]), str(out), client, _decide_job(), BLOCK)
    manifest = json.loads((out / cd.MANIFEST).read_text())
    versions = manifest["versions"]
    assert versions["regime_sha256"] == cd.regime_digest()
    assert versions["list"]["sha256"] == load_list().identity.sha256
    assert manifest["rows"] == ROWS and manifest["engine"] == "dask"
    for part in out.glob("part.*.parquet"):
        meta = pq.read_schema(part).metadata
        assert json.loads(meta[b"computegate"]) == versions


class KillOnce(WorkerPlugin):
    """Kills its worker process (as the OOM killer would) after it finished `after` partitions.

    The first worker to get there claims `marker`, so the restarted worker is left alone.
    """

    name = "kill-once"

    def __init__(self, marker: str, after: int) -> None:
        self.marker = marker
        self.after = after
        self.done = 0

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish != "memory" or not str(key).startswith("computegate-"):
            return
        self.done += 1
        if self.done >= self.after:
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            os._exit(1)


def test_worker_killed_mid_run_is_retried_and_output_complete(
    client: Client, orders: dict[str, Path], local_decisions: pl.DataFrame, tmp_path: Path
) -> None:
    marker = tmp_path / "killed"
    pids_before = set(client.run(os.getpid).values())
    client.register_plugin(KillOnce(str(marker), after=2))
    try:
        out = tmp_path / "out"
        summary = cd.run("decide", str(orders["csv"]), str(out), client, _decide_job(), BLOCK)
    finally:
        client.unregister_worker_plugin(KillOnce.name)
        client.wait_for_workers(2)
    assert int(marker.read_text()) in pids_before  # a worker really died mid-run
    assert summary.rows == ROWS and summary.parts > 4
    names = sorted(p.name for p in out.iterdir())
    assert names == [cd.MANIFEST, *(f"part.{i:05d}.parquet" for i in range(summary.parts))]
    assert _parts(out).equals(local_decisions)


def test_directory_of_parts_in_order(
    client: Client, orders: dict[str, Path], local_decisions: pl.DataFrame, tmp_path: Path
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    frame = read_table(orders["csv"])
    for i, chunk in enumerate(frame.iter_slices(70_000)):
        chunk.write_parquet(src / f"orders-{i}.parquet")
    out = tmp_path / "out"
    cd.run("decide", str(src), str(out), client, _decide_job(), BLOCK)
    assert _parts(out).equals(local_decisions)


def test_worker_with_another_list_file_is_refused(
    client: Client, orders: dict[str, Path], tmp_path: Path
) -> None:
    csl = tmp_path / "csl.json"
    csl.write_text(json.dumps({"results": [{"name": "Acme", "source": "Entity List"}]}))
    job = cd.make_job("screen", list_file=csl)
    csl.write_text(json.dumps({"results": [{"name": "Other", "source": "Entity List"}]}))
    with pytest.raises(ComputegateError, match="differs from the client's copy"):
        cd.run("screen", str(orders["names"]), str(tmp_path / "o"), client, job, BLOCK)


def test_cli_on_a_scheduler_address(
    capsys: pytest.CaptureFixture[str],
    client: Client,
    orders: dict[str, Path],
    local_decisions: pl.DataFrame,
    tmp_path: Path,
) -> None:
    out = tmp_path / "decided"
    address = client.scheduler.address
    code, _, err = run(
        capsys, "decide", "--input", str(orders["parquet"]), "--output", str(out), "--screen",
        "--engine", "dask", "--scheduler", address,
    )  # fmt: skip
    assert code == 0, err
    assert f"{ROWS:,} rows" in err
    assert _parts(out).equals(local_decisions)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--engine", "spark"], "--engine: 'spark' is not local or dask"),
        (["--scheduler", "tcp://x:8786"], "--scheduler: needs --engine dask"),
        (["--engine", "dask"], "give --input and --output"),
        (
            ["--engine", "dask", "--input", "x.csv", "--output", "y.csv"],
            "--output: the dask engine writes Parquet parts: give a directory",
        ),
        (
            ["--engine", "dask", "--input", "missing.csv", "--output", "never-made"],
            "--input: no such file or directory: missing.csv",
        ),
    ],
)
def test_cli_engine_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, "screen", "Acme", *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_missing_columns_found_before_any_task(client: Client, tmp_path: Path) -> None:
    src = tmp_path / "bad.csv"
    src.write_text("id,item\n1,H200\n")
    with pytest.raises(ComputegateError, match="missing required column"):
        cd.run("decide", str(src), str(tmp_path / "o"), client, _decide_job())


def test_partitions_tile_the_input_and_spread_over_the_workers(orders: dict[str, Path]) -> None:
    csv_parts = cd.partitions(str(orders["csv"]), "decide", workers=2)
    assert len(csv_parts) >= 2 * cd.PARTS_PER_WORKER
    assert [p.index for p in csv_parts] == list(range(len(csv_parts)))
    ends = [p.offset + p.length for p in csv_parts]
    assert [p.offset for p in csv_parts[1:]] == ends[:-1]
    assert csv_parts[0].offset == 0 and ends[-1] == orders["csv"].stat().st_size
    pq_parts = cd.partitions(str(orders["parquet"]), "decide", blocksize=1)
    assert [p.row_groups for p in pq_parts] == [(i,) for i in range(ROWS // 10_000)]


def test_unreadable_input_is_one_error_naming_the_file(client: Client, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(ComputegateError, match=r"--input: cannot read .*a\.parquet"):
        cd.run("decide", str(src), str(tmp_path / "o"), client, _decide_job())
    bad = tmp_path / "bad.csv"
    bad.write_text('kind,date,item\nexport,2026-01-16,"H200\n')  # an unclosed quote
    with pytest.raises(ComputegateError, match=r"bad\.csv \(partition 0\): --input: cannot read"):
        cd.run("decide", str(bad), str(tmp_path / "o2"), client, _decide_job())


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.text(
                st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)),
                max_size=12,
            ),
            st.sampled_from(["", "CN", "a,b", 'say "hi"']),
        ),
        max_size=40,
    ),
    blocksize=st.integers(1, 300),
    crlf=st.booleans(),
)
def test_partitions_read_back_as_the_whole_file(
    rows: list[tuple[str, str]], blocksize: int, crlf: bool
) -> None:
    """However the file is cut, its partitions hold its rows once each, in order."""
    frame = pl.DataFrame(
        {
            "id": [str(i) for i in range(len(rows))],
            "name": [r[0] for r in rows],
            "country": [r[1] for r in rows],
        },
        schema={"id": pl.Utf8, "name": pl.Utf8, "country": pl.Utf8},
    )
    text = frame.write_csv(line_terminator="\r\n" if crlf else "\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "names.csv"
        path.write_text(text, newline="")
        parts = [cd.read_part(p) for p in cd.partitions(str(path), "screen", blocksize)]
        assert pl.concat(parts).equals(read_table(path))


def test_answers_carried_across_frames_change_nothing(orders: dict[str, Path]) -> None:
    frame = read_table(orders["csv"]).head(20_000)
    catalog = Engine.load()
    known: dict[tuple[str, ...], dict[str, dict[str, str | None]]] = {}
    halves = [frame.head(10_000), frame.tail(10_000), frame.drop("end_user_headquarters")]
    for part in halves:
        alone, _ = decide_frame(part, catalog)
        carried, summary = decide_frame(part, catalog, known=known)
        assert carried.equals(alone)
    assert len(known) == 2  # the frame without a column keeps its own answers
    assert sum(len(v) for v in known.values()) >= summary.distinct > 0


def test_user_catalog_reaches_the_workers(client: Client, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "accelerators:\n  - {id: acme-z1, name: Acme Z1, dense_tflops: {fp8: 2000}, datacenter: true}\n"
    )
    src = tmp_path / "orders.csv"
    src.write_text(
        "kind,date,item,to_country\nexport,2026-01-16,Acme Z1,CN\nexport,2026-01-16,H200,CN\n"
    )
    local, _ = decide_frame(read_table(src), Engine.load(catalog_files=[mine]))
    job = cd.make_job("decide", catalog_files=[mine])
    summary = cd.run("decide", str(src), str(tmp_path / "out"), client, job)
    assert _parts(tmp_path / "out").equals(local) and summary.errors == 0
    assert summary.versions["catalog_files"][0]["path"] == str(mine.resolve())


def test_workers_with_other_versions_are_refused_before_any_work(
    client: Client, orders: dict[str, Path], tmp_path: Path
) -> None:
    job = dataclasses.replace(_decide_job(), versions=(("computegate", "0.0.0"),))
    with pytest.raises(ComputegateError, match="every worker needs the same computegate version"):
        cd.run("decide", str(orders["csv"]), str(tmp_path / "o"), client, job)
    assert not (tmp_path / "o").exists()


def test_screening_each_distinct_name_once_matches_screening_every_row() -> None:
    screener = Screener(load_list())
    names = ["Huawei Technologies", "Acme Ltd", "Huawei Technologies", "Megvii", "Acme Ltd"]
    countries = ["CN", None, None, "CN", None]
    frame = pl.DataFrame({"id": [str(i) for i in range(5)], "name": names, "country": countries})
    out, hits = screen_frame(frame, screener)
    for row, name, country in zip(out.to_dicts(), names, countries, strict=True):
        result = screener.screen(name, country)
        assert row["hit"] == result.hit
        assert row["hits"] == json.dumps([h.model_dump() for h in result.hits], ensure_ascii=False)
    assert hits == sum(screener.screen(n, c).hit for n, c in zip(names, countries, strict=True)) > 0


def test_sweep_on_the_cluster_identical_to_local(client: Client) -> None:
    """`simulate sweep --engine dask`: the design's chunks as tasks give the local numbers."""
    on = dt.date(2026, 12, 1)
    ctx = Context(Engine.load(), on)
    scenario = resolve_scenario("h200-allowed")
    names = ["shock:us_packaging", "smuggling[2025]", "utilisation.china", "cloud_cost_ratio"]
    design = sa.make_design("sobol", names, 64, seed=2)  # 384 runs, 6 chunks
    model = sa.ModelRuns(scenario, 2027, scenario.basis, design.names, on)
    local = sa.run_design(design, 64, sa.in_process(lambda q: model(q, ctx)))
    remote = sa.run_design(design, 64, cd.sweep_runner(client, model))
    assert local.keys() == remote.keys()
    for metric in local:
        assert np.array_equal(local[metric], remote[metric], equal_nan=True), metric
