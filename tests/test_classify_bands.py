"""Classification from the band tables (regime/data/classification.yaml + parameters) against an
independent reading of the regulation text's inequalities, re-read 2026-12-01:

* 15 CFR 774 Supp. 1, ECCN 3A090 (88 FR 73458): a.1 TPP >= 4800; a.2 TPP >= 1600 and PD >= 5.92;
  b.1 TPP >= 2400 and < 4800 and PD >= 1.6 and < 5.92; b.2 TPP >= 1600 and PD >= 3.2 and < 5.92;
  Note 2: not designed or marketed for datacenters and TPP < 4800 -> 3A090 does not apply.
* 3A090 as of Oct 2022 (87 FR 62186): processing performance >= 4800 and I/O >= 600 GB/s.
* 3A090.c (89 FR 96790): HBM with memory bandwidth density > 2 GB/s/mm2.
* 15 CFR 742.6(b)(10)(iii)(A)(1) (91 FR 1684): TPP < 21,000 and total DRAM bandwidth < 6,500 GB/s.
* HTSUS heading 9903.79.01: 14,000 < TPP < 17,500 and 4,500 < DRAM bandwidth < 5,000 GB/s; 20,800
  < TPP < 21,100 and 5,800 < DRAM bandwidth < 6,200 GB/s.

The expected answers below are written from that text, not from the data files: golden cases sit
on every limit the data's tables hold (and just across it), and hypothesis draws the rest.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from computegate.catalog import Accelerator
from computegate.io import DataFileError
from computegate.model.classification import Classification
from computegate.regime import Regime, default_regime_data, load_regime_data
from computegate.rules import classify
from tests.conftest import chip

DATA = default_regime_data()
NOV_2023 = Regime.at("2024-06-01", data=DATA)
OCT_2022 = Regime.at("2023-03-01", data=DATA)
JAN_2026 = Regime.at("2026-01-16", data=DATA)


def text_3a090(tpp: float, pd: float | None, datacenter: bool) -> str:
    """3A090.a/.b as the Nov-2023 text reads (PD unknown only matters below 4800)."""
    if not datacenter and tpp < 4800:
        return "not 3A090"
    if tpp >= 4800:
        return "3A090.a.1"
    if pd is None:
        return "indeterminate" if tpp >= 1600 else "not 3A090"
    if tpp >= 1600 and pd >= 5.92:
        return "3A090.a.2"
    if 2400 <= tpp < 4800 and 1.6 <= pd < 5.92:
        return "3A090.b.1"
    if tpp >= 1600 and 3.2 <= pd < 5.92:
        return "3A090.b.2"
    return "not 3A090"


def text_window(tpp: float, bw: float) -> bool:
    return tpp < 21_000 and bw < 6_500


def text_duty_band(tpp: float, bw: float) -> str | None:
    if 14_000 < tpp < 17_500 and 4_500 < bw < 5_000:
        return "band-1 (H200 SXM class)"
    if 20_800 < tpp < 21_100 and 5_800 < bw < 6_200:
        return "band-2 (MI325X class)"
    return None


def _reading(result: Classification) -> str:
    return result.eccn_paragraph or result.reading


def _limits(regime: Regime, table: str, prefix: str) -> set[float]:
    pv = regime.get(table)
    assert pv is not None
    return {float(v) for row in pv.value for k, v in row.items() if k.startswith(prefix)}


# -- golden cases on every limit of the data's tables ---------------------------------------------

TPP_EDGES = sorted({t + d for t in _limits(NOV_2023, "3a090.tiers", "tpp_") for d in (-1, 0, 1)})
PD_EDGES = sorted({p + d for p in _limits(NOV_2023, "3a090.tiers", "pd_") for d in (-0.01, 0.0)})


@pytest.mark.parametrize("tpp", TPP_EDGES)
@pytest.mark.parametrize("pd", [*PD_EDGES, None])
@pytest.mark.parametrize("datacenter", [True, False])
def test_3a090_on_every_tier_limit(tpp: float, pd: float | None, datacenter: bool) -> None:
    # area chosen so that TPP / area is the PD limit itself (IEEE division is correctly rounded)
    result = classify(chip(tpp, tpp / pd if pd else None, datacenter=datacenter), NOV_2023)
    assert result.tpp == tpp
    if pd is not None:
        assert result.performance_density == pytest.approx(pd, rel=1e-12)
    expected = text_3a090(tpp, result.performance_density, datacenter)
    assert _reading(result) == expected


def test_every_limit_of_the_tier_table_is_tested() -> None:
    pv = NOV_2023.get("3a090.tiers")
    assert pv is not None
    keys = {k for row in pv.value for k in row if k not in ("paragraph", "cfr")}
    assert keys == {"tpp_min", "tpp_lt", "pd_min", "pd_lt"}  # the columns the text has
    assert {4800, 1600, 2400} <= set(TPP_EDGES) and {5.92, 1.6, 3.2} <= set(PD_EDGES)


@pytest.mark.parametrize("tpp", [4_799, 4_800])
@pytest.mark.parametrize("io", [599, 600, None])
def test_oct_2022_test_on_its_limits(tpp: float, io: float | None) -> None:
    result = classify(chip(tpp, 500, interconnect_gbs=io), OCT_2022)
    if tpp < 4_800:
        assert result.reading == "not 3A090"
    elif io is None:
        assert result.reading == "indeterminate"
        (missing,) = result.missing_facts
        assert missing.fact == "interconnect_gbs"
        assert missing.outcomes == {">= 600 GB/s": "3A090.a (Oct 2022)", "< 600 GB/s": "not 3A090"}
    else:
        assert _reading(result) == ("3A090.a (Oct 2022)" if io >= 600 else "not 3A090")


@pytest.mark.parametrize("density", [1.99, 2.0, 2.01, None])
def test_3a090_c_on_its_limit(density: float | None) -> None:
    stack = Accelerator(name="s", kind="hbm_stack", hbm_bandwidth_density_gbs_per_mm2=density)
    result = classify(stack, JAN_2026)
    expected = "indeterminate" if density is None else "3A090.c" if density > 2 else "not 3A090"
    assert result.reading == expected
    if density is None:
        (missing,) = result.missing_facts
        assert missing.fact == "hbm_bandwidth_density_gbs_per_mm2"  # the one name exports reads


@pytest.mark.parametrize(
    ("tpp", "bw"),
    [(t, b) for t in (13_999, 14_000, 14_001, 17_499, 17_500, 20_800, 20_801, 20_999, 21_000,
                      21_099, 21_100) for b in (4_500, 4_501, 4_999, 5_000, 5_800, 5_801, 6_199,
                                                6_200, 6_499, 6_500)],
)  # fmt: skip
def test_window_and_duty_bands_on_their_limits(tpp: float, bw: float) -> None:
    result = classify(chip(tpp, 1_000, bw=bw), JAN_2026)
    assert result.jan2026_case_by_case_zone is text_window(tpp, bw)
    assert result.sec232_band == text_duty_band(tpp, bw)


# -- everything else: hypothesis ------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(
    tpp=st.floats(min_value=0, max_value=30_000, allow_nan=False),
    area=st.one_of(st.none(), st.floats(min_value=10, max_value=5_000)),
    datacenter=st.booleans(),
    bw=st.floats(min_value=0, max_value=10_000),
)
def test_band_tables_match_the_regulation_text(
    tpp: float, area: float | None, datacenter: bool, bw: float
) -> None:
    nov = classify(chip(tpp, area, bw=bw, datacenter=datacenter), NOV_2023)
    assert nov.tpp is not None
    assert _reading(nov) == text_3a090(nov.tpp, nov.performance_density, datacenter)
    jan = classify(chip(tpp, area, bw=bw, datacenter=datacenter), JAN_2026)
    assert jan.jan2026_case_by_case_zone is text_window(jan.tpp or 0.0, bw)
    assert jan.sec232_band == text_duty_band(jan.tpp or 0.0, bw)
    oct_ = classify(chip(tpp, area, bw=bw, interconnect_gbs=900), OCT_2022)
    assert _reading(oct_) == ("3A090.a (Oct 2022)" if (oct_.tpp or 0) >= 4_800 else "not 3A090")


# -- the structure file -------------------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    directory = tmp_path / "regime"
    shutil.copytree(Path(str(resources.files("computegate.regime") / "data")), directory)
    return directory


def test_a_table_key_no_column_declares_is_an_error_naming_it(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "classification.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    del spec["columns"]["pd_lt"]
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(DataFileError, match="pd_lt"):
        load_regime_data(directory)


def test_the_inequality_of_a_column_is_a_data_change(tmp_path: Path) -> None:
    """The strictness of a band's limits (band 2's is assumed by analogy) is data, not Python."""
    directory = _copy(tmp_path)
    path = directory / "classification.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec["columns"]["tpp_gt"]["op"] = ">="
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    regime = Regime.at("2026-01-16", data=load_regime_data(directory))
    edge = chip(14_000, 1_000, bw=4_800)
    assert classify(edge, regime).sec232_band == "band-1 (H200 SXM class)"
    assert classify(edge, JAN_2026).sec232_band is None
