"""Classification: golden cases at every threshold edge and rule date, missing facts, invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from computegate.catalog import Accelerator, Catalog
from computegate.rules import classify
from tests.conftest import chip
from tests.fresh import classified

NOV_2023 = "2024-06-01"  # a date under the Oct-2023 thresholds, before the Jan-2026 window
JAN_2026 = "2026-01-16"


# -- the headline chips -------------------------------------------------------------------------


def test_headline_chips_on_jan_16_2026(catalog: Catalog) -> None:
    h200 = classify(catalog.get("H200"), JAN_2026)
    assert (h200.eccn_paragraph, h200.jan2026_case_by_case_zone, h200.sec232_band) == (
        "3A090.a.1",
        True,
        "band-1 (H200 SXM class)",
    )
    assert h200.tpp == pytest.approx(15_832)
    mi = classify(catalog.get("MI325X"), JAN_2026)
    assert mi.tpp == pytest.approx(20_919, abs=1)
    assert mi.jan2026_case_by_case_zone is True
    assert mi.sec232_band == "band-2 (MI325X class)"
    b200 = classify(catalog.get("B200"), JAN_2026)
    assert b200.eccn == "3A090.a" and b200.jan2026_case_by_case_zone is False
    b30a = classify(catalog.get("B30A"), JAN_2026)
    assert b30a.jan2026_case_by_case_zone is False
    assert b30a.jan2026_us_available_at_publication is False


def test_h20_is_not_3a090_under_oct_2023_thresholds(catalog: Catalog) -> None:
    result = classify(catalog.get("H20"), NOV_2023)
    assert result.reading == "not 3A090"
    assert result.controlled is False
    assert result.tpp == pytest.approx(2_368)
    assert result.performance_density == pytest.approx(2.91, abs=0.01)


def test_every_finding_is_cited(catalog: Catalog) -> None:
    for item in catalog:
        for f in classify(item, JAN_2026, catalog=catalog).findings:
            assert f.rule and f.text and f.citation, (item.name, f)


# -- threshold edges (synthetic chips; TPP = 16 x FP16) -----------------------------------------


@pytest.mark.parametrize(
    ("tpp", "area", "datacenter", "expected"),
    [
        (4_799, None, True, "indeterminate"),  # below a.1, PD needed and unknown
        (4_800, None, True, "3A090.a.1"),
        (4_799, 4_799 / 1.0, True, "not 3A090"),  # PD 1.0
        (4_800, 4_800 / 1.0, True, "3A090.a.1"),
        (2_955, 500, True, "3A090.b.1"),  # PD 5.91
        (2_960, 500, True, "3A090.a.2"),  # PD 5.92
        (1_599, 100, True, "not 3A090"),  # PD 15.99 but TPP < 1,600
        (1_600, 100, True, "3A090.a.2"),  # PD 16
        (1_600, 500, True, "3A090.b.2"),  # PD 3.2
        (1_600, 500.5, True, "not 3A090"),  # PD 3.197
        (2_399, 1_499.375, True, "not 3A090"),  # PD 1.6 but TPP < 2,400 and PD < 3.2
        (2_400, 1_500, True, "3A090.b.1"),  # PD 1.6
        (2_400, 1_501, True, "not 3A090"),  # PD 1.599
        (4_799, 500, False, "not 3A090"),  # Note 2: not datacenter, TPP < 4,800
        (4_800, 500, False, "3A090.a.1"),  # Note 2 does not reach TPP >= 4,800
    ],
)
def test_3a090_threshold_edges(
    tpp: float, area: float | None, datacenter: bool, expected: str
) -> None:
    result = classify(chip(tpp, area, datacenter=datacenter), NOV_2023)
    assert (result.eccn_paragraph or result.reading) == expected


@pytest.mark.parametrize(
    ("tpp", "bw", "inside"),
    [(20_999, 4_000, True), (21_000, 4_000, False), (15_000, 6_499, True), (15_000, 6_500, False)],
)
def test_jan_2026_window_edges(tpp: float, bw: float, inside: bool) -> None:
    result = classify(chip(tpp, 1_000, bw=bw), JAN_2026)
    assert result.jan2026_case_by_case_zone is inside


@pytest.mark.parametrize(
    ("tpp", "bw", "band"),
    [
        (14_000, 4_800, None),
        (14_001, 4_800, "band-1 (H200 SXM class)"),
        (17_499, 4_999, "band-1 (H200 SXM class)"),
        (17_500, 4_800, None),
        (15_000, 4_500, None),
        (15_000, 5_000, None),
        (20_900, 6_000, "band-2 (MI325X class)"),
        (21_100, 6_000, None),
        (20_900, 6_200, None),
    ],
)
def test_section_232_band_edges(tpp: float, bw: float, band: str | None) -> None:
    result = classify(chip(tpp, 1_000, bw=bw), JAN_2026)
    assert result.sec232_band == band
    assert result.sec232_duty_rate == (0.25 if band else None)


# -- dates either side of each rule change -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "date", "expected"),
    [
        ("H100", "2022-10-06", "not 3A090"),  # before 3A090 existed
        ("H100", "2022-10-07", "3A090.a (Oct 2022)"),
        ("A800", "2023-11-16", "not 3A090"),  # 400 GB/s interconnect escapes the Oct-2022 test
        ("A800", "2023-11-17", "3A090.a.1"),
        ("H800", "2023-11-16", "not 3A090"),
        ("H800", "2023-11-17", "3A090.a.1"),
        ("L40", "2023-11-16", "not 3A090"),  # TPP 2,896 < 4,800
        ("L40", "2023-11-17", "3A090.b.1"),
        ("RTX 4090", "2023-11-17", "3A090.a.1"),
        ("RTX 4090D", "2023-11-17", "not 3A090"),
    ],
)
def test_eccn_either_side_of_rule_dates(
    catalog: Catalog, name: str, date: str, expected: str
) -> None:
    result = classify(catalog.get(name), date)
    assert (result.eccn_paragraph or result.reading) == expected


def test_jan_2026_window_starts_on_effective_date(catalog: Catalog) -> None:
    before = classify(catalog.get("H200"), "2026-01-14")
    after = classify(catalog.get("H200"), "2026-01-15")
    assert before.jan2026_case_by_case_zone is False
    assert any(f.rule == "jan2026.zone" and "not in force" in f.text for f in before.findings)
    assert after.jan2026_case_by_case_zone is True
    assert before.sec232_band is None and after.sec232_band == "band-1 (H200 SXM class)"


def test_hbm_stack_either_side_of_dec_2024() -> None:
    hbm = Accelerator(name="HBM3E stack", kind="hbm_stack", hbm_bandwidth_density_gbs_per_mm2=10.5)
    assert classify(hbm, "2024-12-01").reading == "not 3A090"
    on = classify(hbm, "2024-12-02")
    assert on.eccn == "3A090.c"
    assert any(f.rule == "3A090.c.compliance" for f in on.findings)  # compliance from 2024-12-31
    assert not any(f.rule == "3A090.c.compliance" for f in classify(hbm, "2024-12-31").findings)
    low = Accelerator(name="slow stack", kind="hbm_stack", hbm_bandwidth_density_gbs_per_mm2=2.0)
    assert classify(low, "2025-01-01").reading == "not 3A090"  # strictly greater than 2 GB/s/mm2


def test_computers_take_4a090_and_flag_per_ic_versus_aggregate(catalog: Catalog) -> None:
    server = catalog.resolve(
        {"name": "HGX H200 8-GPU", "kind": "computer", "contains": "H200", "contains_count": 8}
    )
    result = classify(server, JAN_2026)
    assert result.eccn == "4A090.a"
    assert result.aggregate_tpp == pytest.approx(8 * 15_832)
    ambiguity = [m for m in result.missing_facts if m.fact == "jan2026_per_ic_or_aggregate"]
    assert ambiguity and ambiguity[0].kind == "legal_ambiguity"
    l40_box = catalog.resolve(
        {"name": "L40 box", "kind": "computer", "contains": "L40", "contains_count": 4}
    )
    assert classify(l40_box, "2024-04-03").reading == "not 4A090"  # 4A090.b reserved
    assert classify(l40_box, "2024-04-04").eccn == "4A090.b"


# -- unknown facts and ambiguity --------------------------------------------------------------


def test_unknown_die_area_lists_each_outcome(catalog: Catalog) -> None:
    result = classify(catalog.get("MLU290-M5"), NOV_2023)
    assert result.reading == "indeterminate"
    (missing,) = [m for m in result.missing_facts if m.fact == "die_area_mm2"]
    assert list(missing.outcomes.values()) == [
        "3A090.a (3A090.a.2)",
        "3A090.b (3A090.b.1)",
        "not 3A090",
    ]
    assert "692 mm2" in next(iter(missing.outcomes))


def test_unknown_datacenter_flag_gives_both_outcomes() -> None:
    result = classify(chip(3_000, 400, datacenter=None), NOV_2023)
    assert result.reading == "indeterminate"
    (missing,) = [m for m in result.missing_facts if m.fact == "datacenter"]
    assert missing.outcomes["yes"] == "3A090.a.2"
    assert missing.outcomes["no"].startswith("not 3A090")


def test_unknown_interconnect_under_oct_2022_rule() -> None:
    result = classify(chip(6_000, 500, interconnect_gbs=None), "2023-03-01")
    assert result.reading == "indeterminate"
    assert [m.fact for m in result.missing_facts] == ["interconnect_gbs"]


def test_tf32_ambiguity_is_explicit(catalog: Catalog) -> None:
    result = classify(catalog.get("Trainium3"), JAN_2026)
    assert result.tf32_bits == 19
    assert result.jan2026_case_by_case_zone is True
    (amb,) = [m for m in result.missing_facts if m.fact == "tf32_bit_length"]
    assert amb.kind == "legal_ambiguity"
    assert "outside" in amb.outcomes["TF32 counted as 32 bits"]
    assert any(f.rule == "tpp.tf32" for f in result.findings)
    quiet = classify(catalog.get("H100"), JAN_2026)  # TF32 never sets H100's TPP
    assert not any(f.rule == "tpp.tf32" for f in quiet.findings)


def test_overlay_moves_b30a_into_the_window(catalog: Catalog) -> None:
    result = classify(catalog.get("B30A"), JAN_2026, overlays=["b30a-allowed"])
    assert result.jan2026_case_by_case_zone is True
    assert result.jan2026_us_available_at_publication is None
    assert result.regime == {"date": JAN_2026, "overlays": ["b30a-allowed"]}
    assert any(f.rule == "regime.overlay" for f in result.findings)


def test_dates_past_the_knowledge_horizon_say_so(catalog: Catalog) -> None:
    result = classify(catalog.get("H200"), "2026-11-25")
    assert any(f.rule == "regime.horizon" for f in result.findings)


# -- invariants ------------------------------------------------------------------------------

RANK = {"not 3A090": 0, "3A090.b": 1, "3A090.a": 2}
throughput = st.one_of(st.none(), st.floats(min_value=0, max_value=5_000, allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(
    dense=st.fixed_dictionaries(
        {p: throughput for p in ("fp64", "fp32", "tf32", "fp16", "fp8", "int8", "fp4")}
    ),
    area=st.floats(min_value=50, max_value=3_000),
    datacenter=st.booleans(),
    precision=st.sampled_from(["fp64", "fp32", "tf32", "fp16", "fp8", "int8", "fp4"]),
    boost=st.floats(min_value=0.0, max_value=3_000),
    date=st.sampled_from(["2023-03-01", NOV_2023, JAN_2026]),
)
def test_raising_any_throughput_never_lowers_control(
    dense: dict[str, float | None],
    area: float,
    datacenter: bool,
    precision: str,
    boost: float,
    date: str,
) -> None:
    base = Accelerator(
        name="p", dense_tflops=dense, die_area_mm2=area, datacenter=datacenter, interconnect_gbs=900
    )
    raised_dense = {**dense, precision: (dense[precision] or 0.0) + boost}
    raised = base.model_copy(
        update={"dense_tflops": base.dense_tflops.model_copy(update=raised_dense)}
    )
    before, after = classified(base, date), classified(raised, date)
    if before.reading in RANK and after.reading in RANK:
        assert RANK[after.reading] >= RANK[before.reading]
    else:
        assert before.tpp is None or after.reading != "indeterminate"
    if before.jan2026_case_by_case_zone is False and before.tpp is not None:
        assert (
            after.jan2026_case_by_case_zone is False
        )  # leaving the window is never undone by more TPP
