"""`simulate sweep`: Sobol and grid indices through the sweep's own plumbing, on functions with known
answers and on the real model (the same numbers on a LocalCluster: tests/test_distributed.py)."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from computegate.engine import Engine
from computegate.simulation import Context, resolve_scenario
from computegate.simulation import sensitivity as sa
from computegate.simulation.pinned import evaluate, uncertain_inputs
from computegate.simulation.schema import Scenario
from tests.test_cli import run

ON = dt.date(2026, 12, 1)
YEAR = 2027
# Inputs of h200-allowed that move the 2027 stock ratio, and two that cannot: the cost of renting
# cloud enters only the *_cloud_at_cost metrics, and HBM's growth applies from 2028 on.
USED = ["shock:us_packaging", "smuggling[2025]", "utilisation.china"]
UNUSED = ["cloud_cost_ratio", "hbm_stacks.growth"]


@pytest.fixture(scope="module")
def ctx() -> Context:
    return Context(Engine.load(), ON)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return resolve_scenario("h200-allowed")


def ishigami(q: np.ndarray) -> sa.Outputs:
    x = -math.pi + 2 * math.pi * q  # uniform on [-pi, pi]
    return {"y": np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])}


def test_sobol_indices_of_the_ishigami_function() -> None:
    """Analytic indices (a=7, b=0.1): S1 = .314, .442, 0; ST = .558, .442, .244."""
    design = sa.make_design("sobol", ["x1", "x2", "x3"], 2048, seed=3, tail=0)
    y = sa.run_design(design, 1000, sa.in_process(ishigami))["y"]
    got = {i.name: i for i in sa.indices(design, y)}
    for name, s1, total in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        assert abs(got[name].s1 - s1) < 0.05 and abs(got[name].st - total) < 0.05, got[name]
        assert got[name].st_conf is not None and 0 < got[name].st_conf < 0.1
    assert [i.name for i in sa.indices(design, y)] == ["x1", "x2", "x3"]  # largest ST first


def test_grid_indices_are_the_exact_variance_shares() -> None:
    """y = 3a + 2b + c: shares 9/14, 4/14, 1/14, no interactions; y = a*b: all interaction."""
    design = sa.make_design("grid", ["a", "b", "c"], 4, tail=0.1)
    x = design.quantiles - 0.5  # symmetric levels
    linear = {i.name: i for i in sa.indices(design, x @ np.array([3.0, 2.0, 1.0]))}
    for name, share in (("a", 9 / 14), ("b", 4 / 14), ("c", 1 / 14)):
        assert linear[name].s1 == pytest.approx(share) and linear[name].st == pytest.approx(share)
        assert linear[name].s1_conf is None
    product = {i.name: i for i in sa.indices(design, x[:, 0] * x[:, 1])}
    assert product["a"].s1 == pytest.approx(0, abs=1e-12) and product["a"].st == pytest.approx(1)
    assert product["c"].st == pytest.approx(0, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    coefficients=st.lists(
        st.floats(-10, 10).filter(lambda c: abs(c) > 1e-3), min_size=1, max_size=4
    ),
    levels=st.integers(2, 5),
)
def test_grid_shares_of_any_additive_model(coefficients: list[float], levels: int) -> None:
    """An additive model over identical level sets: S1 = ST = c_i^2 / sum c^2, summing to 1."""
    names = [f"x{i}" for i in range(len(coefficients))]
    design = sa.make_design("grid", names, levels)
    c = np.array(coefficients)
    got = {i.name: i for i in sa.indices(design, design.quantiles @ c)}
    shares = c**2 / (c**2).sum()
    for name, share in zip(names, shares, strict=True):
        assert got[name].s1 == pytest.approx(share, abs=1e-9)
        assert got[name].st == pytest.approx(share, abs=1e-9)


def test_chunks_returned_in_any_order_give_the_same_outputs() -> None:
    design = sa.make_design("sobol", ["x1", "x2", "x3"], 64, seed=1, tail=0)

    def shuffled(chunks: list[sa.Chunk]) -> Iterator[tuple[int, sa.Outputs]]:
        chunks = list(chunks)
        random.Random(0).shuffle(chunks)
        return ((start, ishigami(q)) for start, q in chunks)

    one = sa.run_design(design, design.runs, sa.in_process(ishigami))["y"]
    assert np.array_equal(sa.run_design(design, 7, shuffled)["y"], one)
    with pytest.raises(ValueError, match="missing"):
        sa.run_design(design, 7, lambda chunks: shuffled(chunks[1:]))


def test_design_limits_and_shapes() -> None:
    assert sa.design_runs("sobol", 57, 256) == 256 * 59
    assert sa.design_runs("grid", 3, 5) == 125
    assert sa.make_design("sobol", ["a", "b"], 8).quantiles.shape == (8 * 4, 2)
    q = sa.make_design("grid", ["a", "b"], 3).quantiles
    assert q.shape == (9, 2) and sorted(set(q[:, 0])) == pytest.approx([0.05, 0.5, 0.95])
    with pytest.raises(ValueError, match="power of two"):
        sa.make_design("sobol", ["a"], 100)


def test_pinning_an_input_sets_its_quantile_draw_by_draw(ctx: Context, scenario: Scenario) -> None:
    """China's stock is proportional to its utilisation, so pinning utilisation.china to its 5th,
    50th and 95th percentiles scales the stock by exactly those values' ratios."""
    util = next(i for i in uncertain_inputs(scenario, [YEAR], ctx) if i.name == "utilisation.china")
    qs = np.array([0.05, 0.5, 0.95])
    stock = evaluate(scenario, [YEAR], {"utilisation.china": qs}, ctx)["china_stock"][0]
    values = np.array([util.value(q) for q in qs])
    assert values[0] < values[1] < values[2]
    assert stock / stock[1] == pytest.approx(values / values[1])
    with pytest.raises(ValueError, match="unknown input"):
        evaluate(scenario, [YEAR], {"no.such.input": qs}, ctx)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        evaluate(scenario, [YEAR], {"utilisation.china": np.array([0.0, 0.5])}, ctx)


@settings(max_examples=12, deadline=None)
@given(rows=st.integers(1, 90))
def test_the_model_gives_each_run_the_same_outputs_in_any_chunking(
    ctx: Context, scenario: Scenario, rows: int
) -> None:
    """What lets a cluster's chunks reproduce a local sweep: a run's outputs depend on its own
    quantiles only, not on which runs share its chunk."""
    design = sa.make_design("sobol", USED + UNUSED, 16, seed=4)  # 112 runs
    model = sa.ModelRuns(scenario, YEAR, scenario.basis, design.names, ON)
    whole = sa.run_design(design, design.runs, sa.in_process(lambda q: model(q, ctx)))
    cut = sa.run_design(design, rows, sa.in_process(lambda q: model(q, ctx)))
    for metric in whole:
        assert np.array_equal(whole[metric], cut[metric], equal_nan=True), metric


def test_inputs_the_output_does_not_use_get_no_share(ctx: Context, scenario: Scenario) -> None:
    names = [i.name for i in uncertain_inputs(scenario, [YEAR], ctx)]
    assert set(USED + UNUSED) <= set(names)
    design = sa.make_design("sobol", USED + UNUSED, 256, seed=5)
    model = sa.ModelRuns(scenario, YEAR, scenario.basis, design.names, ON)
    out = sa.run_design(design, 512, sa.in_process(lambda q: model(q, ctx)))
    got = {i.name: i for i in sa.indices(design, out["stock_ratio"])}
    for name in UNUSED:
        assert got[name].st == pytest.approx(0, abs=1e-9) and got[name].s1 == pytest.approx(0)
    for name in USED:
        assert got[name].st > 0.1
    at_cost = {i.name: i for i in sa.indices(design, out["stock_ratio_cloud_at_cost"])}
    assert at_cost["cloud_cost_ratio"].st > 0.005  # the same input does move the metric it feeds


def test_cli_sweep_json_and_out(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = ["h200-allowed", "--inputs", "shock:*,cloud_cost_ratio", "--samples", "64"]
    code, out, err = run(capsys, "simulate", "sweep", *argv, "--json", "--out", str(tmp_path))
    assert code == 0, err
    report = json.loads(out)
    assert report["design"]["runs"] == 64 * 5 and report["metric"] == "stock_ratio"
    rows = {r["input"]: r for r in report["indices"]}
    assert set(rows) == {"shock:us_packaging", "shock:china_hbm", "cloud_cost_ratio"}
    assert rows["cloud_cost_ratio"]["ST"] == pytest.approx(0, abs=1e-9)
    design = pl.read_parquet(tmp_path / "design.parquet")
    runs = pl.read_parquet(tmp_path / "runs.parquet")
    assert design.height == runs.height == 320 and "stock_ratio" in runs.columns
    assert pl.read_csv(tmp_path / "sensitivity.csv").height == 3
    same, again, _ = run(capsys, "simulate-sweep", *argv, "--json")
    assert same == 0 and json.loads(again)["indices"] == report["indices"]


def test_cli_grid_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "simulate", "sweep", "h200-allowed", "--design", "grid", "--levels", "2",
        "--inputs", "smuggling*", "--metric", "flow_ratio",
    )  # fmt: skip
    assert code == 0, err
    table = " ".join(out.split())
    assert "grid 2 levels, 16 runs on local" in table  # 4 inputs match smuggling*
    for name in (
        "smuggling[2024]",
        "smuggling[2025]",
        "smuggling.growth",
        "smuggling_substitution",
    ):
        assert name in table


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--design", "lhs"], "--design: 'lhs' is not one of sobol, grid"),
        (["--samples", "100"], "--samples: 100 is not a power of two"),
        (["--samples", "8192", "--max-runs", "1000"], "--samples: 8192 samples over 57 inputs"),
        (["--design", "grid"], "--levels: 3 levels over 57 inputs is 1.6e+27 runs"),
        (["--inputs", "smuggling[2099]"], "--inputs: no input 'smuggling[2099]'"),
        (["--metric", "gdp"], "--metric: unknown metric 'gdp'"),
        (["--year", "2050"], "--year: 2050 is outside 2022-2040"),
        (["--tail", "0.5"], "--tail: 0.5 must be at least 0 and below 0.5"),
        (["--engine", "spark"], "--engine: 'spark' is not local or dask"),
        (["--scheduler", "tcp://x:8786"], "--scheduler: needs --engine dask"),
        (["--basis", "b300e:flops"], "--basis: unknown basis 'b300e:flops'"),
    ],
)
def test_cli_sweep_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, "simulate", "sweep", "h200-allowed", *argv)
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_cli_out_must_be_a_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    taken = tmp_path / "sweep.csv"
    taken.write_text("")
    code, _, err = run(capsys, "simulate", "sweep", "h200-allowed", "--out", str(taken))
    assert code == 2 and f"--out: {taken} is a file; give a directory" in err
