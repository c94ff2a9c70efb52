"""Compute-balance simulation: published figures reproduced, law from the rules layer, bad files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from computegate.io.errors import DataFileError
from computegate.simulation import load_scenario, resolve_scenario, shipped_scenarios, simulate
from computegate.simulation.model import Sampler, export_status, run_scenario
from tests.test_cli import run

ALL = shipped_scenarios()


@pytest.fixture(scope="module")
def results() -> pl.DataFrame:
    return simulate(
        [resolve_scenario(s) for s in ALL], years=range(2024, 2031), draws=4_000, seed=7
    ).frame


def value(frame: pl.DataFrame, scenario: str, year: int, metric: str, col: str = "median") -> float:
    row = frame.filter(
        (pl.col("scenario") == scenario) & (pl.col("year") == year) & (pl.col("metric") == metric)
    )
    return float(row[col][0])


def test_seven_scenarios_ship() -> None:
    assert set(ALL) == {
        "full-ban",
        "h200-allowed",
        "b30a-allowed",
        "b30a-plus-peers",
        "rasa-enacted",
        "worst-case-for-china",
        "h200-no-rasa",
    }


def test_us_production_matches_cfr_and_ifp(results: pl.DataFrame) -> None:
    assert value(results, "full-ban", 2025, "us_flow") == pytest.approx(3.67e6, rel=0.15)  # CFR
    assert value(results, "full-ban", 2026, "us_flow") == pytest.approx(6.89e6, rel=0.10)  # IFP


def test_huawei_2025_matches_cfr_range(results: pl.DataFrame) -> None:
    p5, median, p95 = (
        value(results, "full-ban", 2025, "china_huawei", c) for c in ("p5", "median", "p95")
    )
    assert p5 >= 40_000 * 0.9 and p95 <= 145_000 * 1.1  # CFR: 40k-145k B300e
    share = median / value(results, "full-ban", 2025, "us_flow")
    assert 0.01 <= share <= 0.04  # "1-4% of US"


def test_ifp_2026_headlines(results: pl.DataFrame) -> None:
    assert 25 <= value(results, "full-ban", 2026, "flow_ratio") <= 35  # ~31x with no exports
    assert value(results, "b30a-allowed", 2026, "flow_ratio") < 4  # limited B30A exports
    assert value(results, "b30a-plus-peers", 2026, "flow_ratio") <= 1  # aggressive: China >= US


def test_policy_ordering(results: pl.DataFrame) -> None:
    ban, h200, scale = (
        value(results, s, 2026, "flow_ratio") for s in ("full-ban", "h200-allowed", "h200-no-rasa")
    )
    assert ban > h200 > scale
    assert value(results, "rasa-enacted", 2026, "stock_ratio") > value(
        results, "h200-allowed", 2026, "stock_ratio"
    )
    assert value(results, "rasa-enacted", 2026, "china_cloud") < value(
        results, "h200-allowed", 2026, "china_cloud"
    )
    assert value(results, "rasa-enacted", 2025, "china_cloud") == pytest.approx(
        value(results, "h200-allowed", 2025, "china_cloud"), rel=0.05
    )


def test_legal_imports_come_from_the_rules_layer() -> None:
    scenario = resolve_scenario("h200-allowed")
    h200 = next(p for p in scenario.legal_imports if p.item == "H200")
    assert export_status(h200, dt.date(2026, 1, 14), scenario.overlays) == "denied"
    assert export_status(h200, dt.date(2026, 1, 16), scenario.overlays) == "case_by_case"

    def before(year: int) -> list[dt.date]:
        return [dt.date(2026, 1, 14)] if year == 2026 else [dt.date(year, 6, 1)]

    def after(year: int) -> list[dt.date]:
        return [dt.date(2026, 1, 16)] if year == 2026 else [dt.date(year, 6, 1)]

    closed = run_scenario(scenario, [2026], Sampler(500, np.random.default_rng(1)), before).series[
        "china_legal"
    ]
    opened = run_scenario(scenario, [2026], Sampler(500, np.random.default_rng(1)), after).series[
        "china_legal"
    ]
    assert float(closed.max()) == 0.0 < float(np.median(opened))


def test_b30a_needs_the_overlay() -> None:
    scenario = resolve_scenario("b30a-allowed")
    b30a = next(p for p in scenario.legal_imports if p.item == "B30A")
    assert export_status(b30a, dt.date(2026, 6, 1), ()) == "denied"
    assert export_status(b30a, dt.date(2026, 6, 1), scenario.overlays) == "case_by_case"


def test_same_seed_same_numbers() -> None:
    scenario = [resolve_scenario("full-ban")]
    a = simulate(scenario, years=[2026], draws=1_000, seed=3).frame
    b = simulate(scenario, years=[2026], draws=1_000, seed=3).frame
    c = simulate(scenario, years=[2026], draws=1_000, seed=4).frame
    assert a.equals(b) and not a.equals(c)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    shipped = (
        Path(__file__).resolve().parents[1]
        / "src"
        / "computegate"
        / "simulation"
        / "scenarios"
        / "_base.yaml"
    )
    (tmp_path / "_base.yaml").write_text(shipped.read_text())
    path.write_text(text)
    return path


def test_retirement_kinds(tmp_path: Path) -> None:
    one = load_scenario(
        _write(
            tmp_path,
            "extends: _base.yaml\nname: x\ntitle: x\ndescription: x\nretirement: {kind: fixed_life, years: 1}\nutilisation: 1\n",
        )
    )
    run1 = run_scenario(one, [2026], Sampler(200, np.random.default_rng(0)))
    assert np.allclose(run1.series["us_stock"], run1.series["us_flow"])
    forever = load_scenario(
        _write(
            tmp_path,
            "extends: _base.yaml\nname: x\ntitle: x\ndescription: x\nretirement: {kind: none}\nutilisation: 1\n",
        )
    )
    run2 = run_scenario(forever, [2026], Sampler(200, np.random.default_rng(0)))
    assert (run2.series["us_stock"] > run2.series["us_flow"]).all()


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("nmae: x\n", "nmae", "Extra inputs"),
        (
            "smuggling: {2026: {median: -5}}\n",
            "smuggling.values.2026.median",
            "greater than or equal to 0",
        ),
        (
            "smuggling: {2026: {median: 5, low: 9, high: 10}}\n",
            "smuggling.values.2026",
            "low <= median <= high",
        ),
        ("overlays: [rasa-2099]\n", "overlays.0", "unknown overlay 'rasa-2099'"),
        (
            "domestic:\n  - {item: Ascend 910C, units: {2026: 1}}\n  - {item: Ascend 910C, units: {2026: 2, 2027: 3}}\n",
            "(top level)",
            "overlapping year ranges for Ascend 910C: [2026]",
        ),
        ("retirement: {kind: hazard}\n", "retirement", "hazard retirement needs rate"),
    ],
)
def test_bad_scenarios_name_file_key_and_problem(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = _write(tmp_path, "extends: _base.yaml\nname: x\ntitle: x\ndescription: x\n" + text)
    with pytest.raises(DataFileError) as exc:
        load_scenario(path)
    assert exc.value.file == str(path)
    assert exc.value.key == key
    assert problem in exc.value.problem


def test_simulate_cli_json_and_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _err = run(
        capsys,
        "simulate",
        "full-ban",
        "b30a-allowed",
        "--years",
        "2025-2027",
        "--draws",
        "500",
        "--json",
        "--out",
        str(tmp_path),
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["basis"] == "b300e:tpp"
    metrics = {r["metric"] for r in payload["results"]}
    assert {"us_flow", "china_flow", "flow_ratio", "stock_ratio"} <= metrics
    assert {r["year"] for r in payload["results"]} == {2025, 2026, 2027}
    assert set(payload["results"][0]) == {"scenario", "year", "metric", "median", "p5", "p95"}
    for name in (
        "results.csv",
        "fan_flow_ratio.png",
        "fan_flow_ratio.svg",
        "china_channels.png",
        "tornado.svg",
    ):
        assert (tmp_path / name).stat().st_size > 1_000, name
    code, out, _ = run(capsys, "simulate", "full-ban", "--draws", "300")
    assert code == 0 and "flow ratio" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["simulate", "no-such-scenario"], "unknown scenario 'no-such-scenario'"),
        (["simulate", "full-ban", "--years", "2030-2024"], "--years"),
        (["simulate", "full-ban", "--years", "soon"], "--years"),
        (["simulate", "missing.yaml"], "no such file"),
    ],
)
def test_simulate_bad_input(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in out + err
