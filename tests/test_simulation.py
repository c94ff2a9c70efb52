"""Compute-balance simulation: seed figures under their profile, law from the rules layer, bad files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from computegate.io.errors import DataFileError
from computegate.simulation import (
    SEED_PROFILE,
    Context,
    load_scenario,
    profile_path,
    resolve_scenario,
    shipped_scenarios,
    simulate,
)
from computegate.simulation.model import Sampler, export_status, run_scenario
from computegate.simulation.schema import Uncertain
from tests.test_cli import run

ALL = shipped_scenarios()
YEARS = list(range(2022, 2031))


@pytest.fixture(scope="module")
def ctx() -> Context:
    return Context.bundled(dt.date(2026, 12, 1))


@pytest.fixture(scope="module")
def seed_results(ctx: Context) -> pl.DataFrame:
    chosen = [resolve_scenario(s, SEED_PROFILE) for s in ALL]
    return simulate(chosen, years=YEARS, draws=4_000, seed=7, context=ctx).frame


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


def test_seed_profile_reproduces_cfr_and_ifp(seed_results: pl.DataFrame) -> None:
    r = seed_results
    assert value(r, "full-ban", 2025, "us_flow") == pytest.approx(3.67e6, rel=0.15)  # CFR
    assert value(r, "full-ban", 2026, "us_flow") == pytest.approx(6.89e6, rel=0.10)  # IFP
    p5, p95 = (value(r, "full-ban", 2025, "china_huawei", c) for c in ("p5", "p95"))
    assert p5 >= 40_000 * 0.9 and p95 <= 145_000 * 1.1  # CFR: 40k-145k B300e
    assert 25 <= value(r, "full-ban", 2026, "flow_ratio") <= 35  # IFP ~31x, no exports
    assert value(r, "b30a-allowed", 2026, "flow_ratio") < 4  # limited B30A exports
    assert value(r, "b30a-plus-peers", 2026, "flow_ratio") <= 1  # aggressive: China >= US


def test_policy_ordering(seed_results: pl.DataFrame) -> None:
    r = seed_results
    ban, h200, scale = (
        value(r, s, 2026, "flow_ratio") for s in ("full-ban", "h200-allowed", "h200-no-rasa")
    )
    assert ban > h200 > scale
    assert value(r, "rasa-enacted", 2026, "stock_ratio") > value(
        r, "h200-allowed", 2026, "stock_ratio"
    )
    assert value(r, "rasa-enacted", 2026, "china_cloud") < value(
        r, "h200-allowed", 2026, "china_cloud"
    )
    assert value(r, "rasa-enacted", 2025, "china_cloud") == value(
        r, "h200-allowed", 2025, "china_cloud"
    )


# -- the bugs of issue 12, each with a test that failed before the fix ---------------------------


def test_a_missing_year_carries_forward_not_zero(seed_results: pl.DataFrame) -> None:
    """The H200 cap is given for 2026 only; 2027 imports used to vanish (cap read as 0)."""
    assert value(seed_results, "h200-no-rasa", 2027, "china_legal") > 0.5 * value(
        seed_results, "h200-no-rasa", 2026, "china_legal"
    )
    assert value(seed_results, "h200-no-rasa", 2027, "flow_ratio") == pytest.approx(29, rel=0.15)
    scenario = resolve_scenario("full-ban")
    h20 = next(p for p in scenario.legal_imports if p.item == "H20")
    assert h20.units is not None and h20.units.until == 2025  # ended explicitly, not by a gap
    units = Sampler(10, 1).series(h20.units, [2024, 2025, 2026], "x")
    assert units[1].min() > 0 and units[2].max() == 0


def test_policies_persist_until_ended(seed_results: pl.DataFrame) -> None:
    """B30A volumes existed in 2026 only, so 2027 snapped back to the full-ban band."""
    for year in (2027, 2028, 2030):
        assert value(seed_results, "b30a-allowed", year, "flow_ratio") < 5
        assert value(seed_results, "b30a-allowed", year, "china_legal") > 1e6
    assert value(seed_results, "b30a-allowed", 2030, "stock_ratio") < 5


def test_lognormal_honours_median_and_percentiles() -> None:
    u = Uncertain(median=100_000, low=20_000, high=200_000)  # 910B 2025 shape
    draws = Sampler(400_000, 3).draw(u, "x")
    p5, p50, p95 = np.percentile(draws, [5, 50, 95])
    assert p5 == pytest.approx(20_000, rel=0.02)
    assert p50 == pytest.approx(100_000, rel=0.02)
    assert p95 == pytest.approx(200_000, rel=0.02)


def _own(tmp_path: Path, extra: str, scenario: str = "full-ban") -> Path:
    """A user scenario carrying a shipped profile's assumptions plus `extra` (its own keys win)."""
    import yaml

    from computegate.simulation.schema import _read_chain

    raw = _read_chain(profile_path("default"))
    raw.update(yaml.safe_load(extra) or {})
    raw.update({"name": "mine", "title": "mine", "description": "mine"})
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def test_domestic_cap_is_applied(tmp_path: Path, ctx: Context) -> None:
    path = _own(tmp_path, "domestic_cap: {2025: 10000}\n")
    capped = resolve_scenario(str(path))
    r = run_scenario(capped, [2024, 2025, 2026], Sampler(500, 1), ctx)
    assert r.series["china_domestic"][1].max() == pytest.approx(10_000)
    assert r.series["china_domestic"][2].max() == pytest.approx(10_000)  # carried forward
    assert r.series["china_domestic"][0].min() > 10_000  # no cap before its first year


def test_every_basis_runs_including_dense_8bit_and_fp4(ctx: Context) -> None:
    chosen = [resolve_scenario(s) for s in ALL]
    for basis in ("h100e:dense_8bit", "b300e:dense_fp4", "b300e:dram_bandwidth"):
        res = simulate(chosen, years=[2026], draws=200, basis=basis, context=ctx)
        assert res.basis == basis and res.frame.height > 0
    assert any("Ascend 910C" in n and "16" in n for n in ctx.notes)  # fallback surfaced


def test_us_and_smuggled_convert_per_chip_mix(ctx: Context) -> None:
    """They used to convert as GB300s, which are 1.0 on every B300e basis: basis moved only China."""
    scenario = resolve_scenario("full-ban")
    on = {
        b: run_scenario(scenario, [2024], Sampler(50, 1), ctx, b).series
        for b in ("b300e:tpp", "b300e:dram_bandwidth")
    }
    for metric in ("us_flow", "china_smuggled"):
        ratio = float(np.median(on["b300e:dram_bandwidth"][metric] / on["b300e:tpp"][metric]))
        assert ratio > 1.3, metric  # Hopper-heavy 2024 mixes have far more bandwidth than TPP


def test_utilisation_does_not_cancel(tmp_path: Path, ctx: Context) -> None:
    low = resolve_scenario(str(_own(tmp_path, "utilisation: {us: 1, china: 0.5}\n")))
    full = resolve_scenario(str(_own(tmp_path, "utilisation: {us: 1, china: 1}\n")))
    a = run_scenario(low, [2026], Sampler(100, 1), ctx).series["stock_ratio"]
    b = run_scenario(full, [2026], Sampler(100, 1), ctx).series["stock_ratio"]
    assert np.allclose(a, 2 * b)
    shared = resolve_scenario("full-ban")  # one stated range still draws each side separately
    s = Sampler(2_000, 1)
    run_scenario(shared, [2026], s, ctx)
    us, cn = (s.draw(shared.utilisation.us, f"utilisation.{x}") for x in ("us", "china"))
    assert abs(np.corrcoef(us, cn)[0, 1]) < 0.1


def test_cloud_cost_reaches_output(seed_results: pl.DataFrame) -> None:
    at_cost = value(seed_results, "h200-allowed", 2026, "stock_ratio_cloud_at_cost")
    assert at_cost > value(seed_results, "h200-allowed", 2026, "stock_ratio")
    assert value(seed_results, "h200-allowed", 2026, "china_cloud_owned_equivalent") == (
        pytest.approx(value(seed_results, "h200-allowed", 2026, "china_cloud") / 2, rel=1e-6)
    )


def test_lifetime_is_drawn_with_spread(ctx: Context) -> None:
    scenario = resolve_scenario("full-ban", SEED_PROFILE)  # life 1-3 years (the seed article)
    r = run_scenario(scenario, [2026], Sampler(2_000, 1), ctx)
    kept = r.series["china_stock"] / r.series["china_flow"]
    assert np.percentile(kept, 95) > 1.3 * np.percentile(kept, 5)
    from computegate.simulation.model import _survival

    s = scenario.model_copy(
        update={"retirement": scenario.retirement.model_copy(update={"years": _u(1.5)})}
    )
    assert np.allclose(_survival(s, 3, Sampler(4, 1))[:, 0], [1.0, 0.5, 0.0])


def _u(x: float) -> Uncertain:
    return Uncertain(median=x)


def test_us_output_counted_from_2022(seed_results: pl.DataFrame) -> None:
    for year in (2022, 2023):
        assert value(seed_results, "full-ban", year, "us_flow") > 50_000
        assert 2 < value(seed_results, "full-ban", year, "flow_ratio") < 50


def test_common_shocks_correlate_designers(ctx: Context) -> None:
    scenario = resolve_scenario("full-ban")
    s = Sampler(4_000, 1, shocks=dict(scenario.shocks))
    nvidia = s.series(scenario.us_production["nvidia"].volume, [2025], "us.nvidia")[0]
    amd = s.series(scenario.us_production["amd"].volume, [2025], "us.amd")[0]
    assert np.corrcoef(np.log(nvidia), np.log(amd))[0, 1] > 0.4
    years = s.series(scenario.us_production["nvidia"].volume, [2024, 2025], "us.nvidia")
    assert np.corrcoef(np.log(years[0]), np.log(years[1]))[0, 1] > 0.4  # across years too
    loose = Sampler(4_000, 1)
    n2 = loose.series(
        scenario.us_production["nvidia"].volume.model_copy(update={"shock": None}),
        [2025],
        "us.nvidia",
    )[0]
    a2 = loose.series(
        scenario.us_production["amd"].volume.model_copy(update={"shock": None}), [2025], "us.amd"
    )[0]
    assert abs(np.corrcoef(np.log(n2), np.log(a2))[0, 1]) < 0.1


def test_scenario_comparisons_are_paired(ctx: Context) -> None:
    """Common random numbers: the same input draws the same numbers in every scenario."""
    a, b = (resolve_scenario(s) for s in ("full-ban", "h200-allowed"))
    res = simulate([a, b], years=YEARS, draws=500, seed=5, context=ctx)
    ban, h200 = (r.series for r in res.runs)
    assert np.array_equal(ban["china_flow"][:4], h200["china_flow"][:4])  # 2022-2025
    assert np.array_equal(ban["us_flow"], h200["us_flow"])
    extra = h200["china_flow"][-1] - ban["china_flow"][-1]
    assert (extra >= 0).all()  # paired: H200 imports only add, draw by draw
    reordered = simulate([b, a], years=YEARS, draws=500, seed=5, context=ctx).runs[1].series
    assert np.array_equal(reordered["china_flow"], ban["china_flow"])
    delta = res.paired("china_flow", "full-ban").filter(pl.col("scenario") == "h200-allowed")
    first, last = delta.row(0, named=True), delta.row(-1, named=True)
    assert first["p5"] == first["p95"] == 0.0  # 2022: nothing differs, so no noise either
    assert last["p5"] >= 0.0 and last["median"] > 0


# -- law from the rules layer, files, CLI --------------------------------------------------------


def test_legal_imports_come_from_the_rules_layer(ctx: Context) -> None:
    scenario = resolve_scenario("h200-allowed")
    h200 = next(p for p in scenario.exports if p.item == "H200")
    assert export_status(h200, dt.date(2026, 1, 14), scenario.overlays, ctx) == "denied"
    assert export_status(h200, dt.date(2026, 1, 16), scenario.overlays, ctx) == "case_by_case"

    def before(year: int) -> list[dt.date]:
        return [dt.date(2026, 1, 14)] if year == 2026 else [dt.date(year, 6, 1)]

    def after(year: int) -> list[dt.date]:
        return [dt.date(2026, 1, 16)] if year == 2026 else [dt.date(year, 6, 1)]

    closed = run_scenario(scenario, [2026], Sampler(500, 1), ctx, dates_for=before)
    opened = run_scenario(scenario, [2026], Sampler(500, 1), ctx, dates_for=after)
    assert float(closed.series["china_legal"].max()) == 0.0
    assert float(np.median(opened.series["china_legal"])) > 0


def test_b30a_needs_the_overlay(ctx: Context) -> None:
    scenario = resolve_scenario("b30a-allowed")
    b30a = next(p for p in scenario.exports if p.item == "B30A")
    assert export_status(b30a, dt.date(2026, 6, 1), (), ctx) == "denied"
    assert export_status(b30a, dt.date(2026, 6, 1), scenario.overlays, ctx) == "case_by_case"


def test_same_seed_same_numbers() -> None:
    scenario = [resolve_scenario("full-ban")]
    a = simulate(scenario, years=[2026], draws=1_000, seed=3).frame
    b = simulate(scenario, years=[2026], draws=1_000, seed=3).frame
    c = simulate(scenario, years=[2026], draws=1_000, seed=4).frame
    assert a.equals(b) and not a.equals(c)


def test_validate_default_profile_against_published_estimates() -> None:
    from computegate.simulation.validate import validate

    checks = validate("default", draws=2_000)
    assert len(checks) >= 12
    assert sum(c.passed for c in checks) / len(checks) >= 0.8
    for c in checks:
        assert c.estimate.source and c.estimate.tolerance
        assert c.passed or c.estimate.miss, f"{c.estimate.id} misses without an explanation"


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("nmae: x\n", "nmae", "Extra inputs"),
        ("smuggling: {}\n", "smuggling", "set by the profile 'default'"),
        (
            "exports: [{item: H200, units: {2026: {median: -5}}}]\n",
            "exports.0.units.values.2026.median",
            "greater than or equal to 0",
        ),
        (
            "overlays: [rasa-2099]\n",
            "overlays.0",
            "unknown overlay 'rasa-2099'",
        ),
        (
            "exports:\n  - {item: H200, units: {2026: 1}}\n  - {item: H200, units: {2026: 2, 2027: 3}}\n",
            "(top level)",
            "overlapping year ranges for H200: [2026]",
        ),
        ("exports:\n  - {item: H200}\n", "exports.0", "exactly one of units or supply_share"),
        ("basis: b300e:vibes\n", "(top level)", "unknown basis"),
    ],
)
def test_bad_scenarios_name_file_key_and_problem(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: x\ntitle: x\ndescription: x\n" + text)
    with pytest.raises(DataFileError) as exc:
        load_scenario(path, profile_path("default"))
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
    assert payload["basis"] == "b300e:tpp" and payload["profile"] == "default"
    metrics = {r["metric"] for r in payload["results"]}
    assert {"us_flow", "china_flow", "flow_ratio", "stock_ratio"} <= metrics
    assert {r["year"] for r in payload["results"]} == {2025, 2026, 2027}
    assert set(payload["results"][0]) == {"scenario", "year", "metric", "median", "p5", "p95"}
    for name in (
        "results.csv",
        "fan_flow_ratio.png",
        "fan_flow_ratio.svg",
        "china_channels.png",
        "fan_stock_ratio_cloud_at_cost.svg",
        "tornado.svg",
    ):
        assert (tmp_path / name).stat().st_size > 1_000, name
    code, out, _ = run(
        capsys, "simulate", "full-ban", "--draws", "300", "--basis", "h100e:dense_8bit"
    )
    assert code == 0 and "flow ratio" in out and "owning-cost" in out and "910C" in out
    code, out, _ = run(
        capsys, "simulate", "full-ban", "h200-allowed", "--draws", "300", "--profile", "ifp-cfr"
    )
    assert code == 0 and "ifp-cfr" in out and "paired draws" in out


def test_simulate_validate_cli(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "simulate", "validate", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["total"] >= 12
    assert payload["passed"] / payload["total"] >= 0.8


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["simulate", "no-such-scenario"], "unknown scenario 'no-such-scenario'"),
        (["simulate", "full-ban", "--years", "2030-2024"], "--years"),
        (["simulate", "full-ban", "--years", "soon"], "--years"),
        (["simulate", "missing.yaml"], "no such file"),
        (["simulate", "full-ban", "--basis", "b300e:vibes"], "unknown basis"),
        (["simulate", "full-ban", "--profile", "rosy"], "unknown profile 'rosy'"),
    ],
)
def test_simulate_bad_input(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in out + err


def test_charts_say_which_lines_coincide() -> None:
    from computegate.surfaces.simulation_charts import coinciding

    chosen = [resolve_scenario(s) for s in ("full-ban", "worst-case-for-china", "h200-allowed")]
    frame = simulate(chosen, years=[2025, 2026], draws=300).frame
    groups = coinciding(frame, "flow_ratio")
    assert ["full-ban", "worst-case-for-china"] in groups and ["h200-allowed"] in groups


def test_tornado_covers_inputs_shocks_and_structure(ctx: Context) -> None:
    from computegate.simulation import tornado

    scenario = resolve_scenario("b30a-allowed")
    swings = tornado(scenario, 2026, context=ctx)
    assert set(swings) == {"flow_ratio", "stock_ratio"}
    labels = {s[0] for s in swings["stock_ratio"]}
    assert {"retirement.years", "shock:us_packaging", "structural: foundry binds"} <= labels
    assert "structural: basis" in {s[0] for s in swings["flow_ratio"]}
    widths = [abs(h - lo) for _, lo, h, _ in swings["flow_ratio"]]
    assert widths == sorted(widths, reverse=True)
    # one pinned column agrees with pinning that input alone
    name, low, _high, _ = next(s for s in swings["flow_ratio"] if not s[0].startswith("struct"))
    alone = Sampler(1, 0, fixed={name: 0.05}, pin_all=0.5)
    assert run_scenario(scenario, [2026], alone, ctx).series["flow_ratio"][0, 0] == pytest.approx(
        low
    )


def test_production_functions_bound_domestic_output(tmp_path: Path, ctx: Context) -> None:
    """HBM stacks per package and wafers x yield / dies per wafer each cap the domestic output."""
    free = resolve_scenario(
        str(_own(tmp_path, "hbm_stacks: null\nlogic_wafers: null\nlogic_yield: null\n"))
    )
    hbm = resolve_scenario(
        str(_own(tmp_path, "hbm_stacks: {2026: 800000}\nother_domestic_share_of_huawei: 0\n"))
    )
    wafers = resolve_scenario(
        str(
            _own(
                tmp_path,
                "hbm_stacks: null\nlogic_wafers: {2026: 10000}\nlogic_yield: 0.5\n"
                "other_domestic_share_of_huawei: 0\n",
            )
        )
    )
    units = {
        name: run_scenario(s, [2026], Sampler(300, 2), ctx).series["china_huawei_units"][0]
        for name, s in (("free", free), ("hbm", hbm), ("wafers", wafers))
    }
    assert (units["hbm"] <= 800_000 / 4 + 1).all()  # at best every package takes 4 stacks
    assert (units["hbm"] <= units["free"] + 1e-6).all()
    assert np.median(units["hbm"]) < 0.8 * np.median(units["free"])
    gross = 1 / ctx.wafer_share("Ascend 910B")  # ~80 single-die candidates per wafer
    assert gross == pytest.approx(80.4, abs=0.5)
    assert (units["wafers"] <= 10_000 * 0.5 * gross + 1).all()
    assert (units["wafers"] <= units["free"] + 1e-6).all()
    assert np.median(units["wafers"]) < 0.8 * np.median(units["free"])


def test_smuggling_responds_to_legal_supply_and_can_be_switched_off(
    tmp_path: Path, ctx: Context
) -> None:
    ban, h200 = (resolve_scenario(s) for s in ("full-ban", "h200-allowed"))
    assert h200.smuggling_substitution is not None
    res = simulate([ban, h200], years=[2025, 2026], draws=500, context=ctx)
    a, b = (r.series["china_smuggled"] for r in res.runs)
    assert np.array_equal(a[0], b[0])  # no H200 exports in 2025, nothing displaced
    assert (b[1] <= a[1]).all() and np.median(b[1]) < np.median(a[1])
    path = _own(tmp_path, "smuggling_substitution: null\n" + _exports_of("h200-allowed"))
    off = resolve_scenario(str(path))
    c = run_scenario(off, [2025, 2026], Sampler(500, 20260115), ctx).series["china_smuggled"]
    assert np.allclose(c[1], a[1])


def _exports_of(name: str) -> str:
    import yaml

    from computegate.simulation import _data
    from computegate.simulation.schema import _read_chain

    return yaml.safe_dump({"exports": _read_chain(_data("scenarios") / f"{name}.yaml")["exports"]})


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(1.0, 1e6),
    up=st.floats(1.0, 50.0),
    down=st.floats(1.0, 50.0),
    dist=st.sampled_from(["lognormal", "triangular", "uniform"]),
)
def test_quantiles_honour_the_stated_range(low: float, up: float, down: float, dist: str) -> None:
    from computegate.simulation.model import quantile

    median = low * down
    u = Uncertain.model_validate({"median": median, "low": low, "high": median * up, "dist": dist})
    qs = [quantile(u, q) for q in (0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999)]
    assert qs == sorted(qs)
    if dist == "lognormal":
        assert qs[1] == pytest.approx(u.lo, rel=1e-4)
        assert qs[3] == pytest.approx(u.median, rel=1e-9)
        assert qs[5] == pytest.approx(u.hi, rel=1e-4)
    else:
        assert u.lo - 1e-6 * u.hi <= qs[0] and qs[-1] <= u.hi * (1 + 1e-6)


@settings(max_examples=60, deadline=None)
@given(
    values=st.dictionaries(st.integers(2022, 2030), st.floats(0, 1e6), min_size=1, max_size=5),
    until=st.one_of(st.none(), st.integers(2022, 2030)),
)
def test_series_never_read_a_gap_as_zero(values: dict[int, float], until: int | None) -> None:
    from computegate.simulation.schema import Series

    first = min(values)
    if until is not None and until < first:
        until = first
    s = Series.model_validate({**values, "until": until} if until else values)
    out = Sampler(3, 1).series(s, YEARS, "x")
    for i, year in enumerate(YEARS):
        if year < first or (until is not None and year > until):
            assert (out[i] == 0).all()
        else:
            assert (out[i] == values[max(y for y in values if y <= year)]).all()


@settings(max_examples=40, deadline=None)
@given(life=st.floats(0.5, 8.0), flows=st.lists(st.floats(0, 1e6), min_size=3, max_size=9))
def test_stock_lies_between_this_years_flow_and_the_cumulative_sum(
    life: float, flows: list[float]
) -> None:
    from computegate.simulation.model import _stock

    f = np.array(flows)[:, None]
    w = np.clip(life - np.arange(len(flows), dtype=float), 0, 1)[:, None]
    stock = _stock(f, w)[:, 0]
    assert (stock <= np.cumsum(f[:, 0]) * (1 + 1e-9) + 1e-6).all()
    if life >= 1:
        assert (stock >= f[:, 0] * (1 - 1e-9) - 1e-6).all()


def test_an_engine_is_the_law_the_simulation_asks() -> None:
    from computegate.engine import Engine

    chosen = [resolve_scenario(s) for s in ("full-ban", "rasa-enacted", "b30a-allowed")]
    on = dt.date(2026, 12, 1)
    engine = Engine.load()
    a = simulate(chosen, years=[2026], draws=300, context=Context(engine, on)).frame
    b = simulate(chosen, years=[2026], draws=300, context=Context.bundled(on)).frame
    assert a.equals(b)
    assert len(engine.memo.decisions) + len(engine.memo.dated) > 0  # asked through the engine


def test_overlays_are_checked_against_the_regime_data_in_use(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: x\ntitle: x\ndescription: x\noverlays: [my-bill]\n")
    with pytest.raises(DataFileError, match="unknown overlay 'my-bill'"):
        load_scenario(path, profile_path("default"))
    scenario = load_scenario(path, profile_path("default"), overlays=["my-bill"])
    assert scenario.overlays == ("my-bill",)
